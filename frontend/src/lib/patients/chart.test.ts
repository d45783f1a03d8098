import { describe, expect, it } from 'vitest';
import { formatValue, layoutChart, niceStep, niceTicks, scale, stepDecimals, timeTicks } from './chart';

describe('niceStep', () => {
  it.each([
    [0.7, 1],
    [1, 1],
    [1.1, 2],
    [2.2, 2.5],
    [3, 5],
    [7, 10],
    [13, 20],
    [0.03, 0.05],
  ])('%d → %d', (rough, want) => {
    expect(niceStep(rough)).toBeCloseTo(want, 10);
  });
});

describe('niceTicks', () => {
  it('encloses the data with round steps', () => {
    expect(niceTicks(72, 138, 4)).toEqual([50, 100, 150]);
    expect(niceTicks(72, 138, 5)).toEqual([60, 80, 100, 120, 140]);
    expect(niceTicks(24.3, 27.9, 4)).toEqual([24, 26, 28]);
  });

  it('keeps decimals exact (no 0.30000000000000004)', () => {
    expect(niceTicks(0.1, 0.35, 4)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('never exceeds the tick budget', () => {
    for (const [lo, hi] of [[1, 99], [36.1, 38.9], [0, 1234], [171.6, 172.4], [-5, 5]]) {
      const ticks = niceTicks(lo, hi, 4);
      expect(ticks.length).toBeLessThanOrEqual(4);
      expect(ticks[0]).toBeLessThanOrEqual(lo);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(hi);
    }
  });

  it('gives a flat series a visible range around its value', () => {
    const ticks = niceTicks(98, 98, 4);
    expect(ticks[0]).toBeLessThan(98);
    expect(ticks[ticks.length - 1]).toBeGreaterThan(98);
    expect(niceTicks(0, 0, 3)).toEqual([-1, 0, 1]);
  });

  it('returns nothing for non-finite input', () => {
    expect(niceTicks(Number.NaN, 3)).toEqual([]);
  });
});

describe('stepDecimals', () => {
  it.each([
    [20, 0],
    [2.5, 1],
    [0.25, 2],
    [0.1, 1],
  ])('%d → %d', (step, want) => expect(stepDecimals(step)).toBe(want));
});

const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('timeTicks', () => {
  it('puts a ten-year range on round years', () => {
    const ticks = timeTicks(utc('2015-03-10'), utc('2025-02-01'), 5);
    expect(ticks.map((t) => t.label)).toEqual(['2016', '2018', '2020', '2022', '2024']);
    expect(ticks[0].value).toBe(utc('2016-01-01'));
  });

  it('puts a year on quarter months, with the year on January', () => {
    const ticks = timeTicks(utc('2023-11-15'), utc('2024-11-01'), 5);
    expect(ticks.map((t) => t.label)).toEqual(['Jan 2024', 'Apr', 'Jul', 'Oct']);
  });

  it('puts a fortnight on days', () => {
    const ticks = timeTicks(utc('2024-05-01') + 3_600_000, utc('2024-05-15'), 5);
    expect(ticks.map((t) => t.label)).toEqual(['May 2', 'May 9']);
  });

  it('never exceeds the budget, and handles a century', () => {
    const ticks = timeTicks(utc('1925-06-01'), utc('2025-06-01'), 5);
    expect(ticks.map((t) => t.label)).toEqual(['1940', '1960', '1980', '2000', '2020']);
  });

  it('returns nothing for a reversed range', () => {
    expect(timeTicks(2, 1)).toEqual([]);
  });
});

describe('scale', () => {
  it('maps linearly, inverted for SVG y', () => {
    const y = scale(50, 150, 100, 0);
    expect(y(50)).toBe(100);
    expect(y(100)).toBe(50);
    expect(y(150)).toBe(0);
  });

  it('maps a zero-width domain to the middle', () => {
    expect(scale(3, 3, 0, 10)(3)).toBe(5);
  });
});

describe('formatValue', () => {
  it.each([
    [128, '128'],
    [72.44, '72.4'],
    [24.96, '25'],
    [1.234, '1.23'],
  ])('%d → %s', (v, want) => expect(formatValue(v)).toBe(want));
});

describe('layoutChart', () => {
  const opts = { width: 300, height: 150, unit: 'mmHg', margin: { left: 40, top: 10, right: 10, bottom: 20 } };

  it('returns null when there is nothing to draw', () => {
    expect(layoutChart([], opts)).toBeNull();
    expect(layoutChart([{ name: 'x', points: [] }], opts)).toBeNull();
    expect(layoutChart([{ name: 'x', points: [{ t: 'not a date', value: 1 }] }], opts)).toBeNull();
  });

  it('spans the plot area from the first to the last reading, on shared axes', () => {
    const l = layoutChart(
      [
        { name: 'Systolic', points: [{ t: '2024-01-01T00:00:00Z', value: 120 }, { t: '2024-07-01T00:00:00Z', value: 140 }] },
        { name: 'Diastolic', points: [{ t: '2024-04-01T00:00:00Z', value: 80 }] },
      ],
      opts,
    );
    expect(l).not.toBeNull();
    if (!l) return;
    expect(l.plot).toEqual({ left: 40, top: 10, right: 290, bottom: 130 });
    const [sys, dia] = l.series;
    expect(sys.points[0].x).toBe(40);
    expect(sys.points[1].x).toBe(290);
    // y range comes from the ticks (80–140 → 80…140), so the top reading sits on the top edge.
    expect(l.yTicks[0].value).toBeLessThanOrEqual(80);
    expect(sys.points[1].y).toBeGreaterThanOrEqual(10);
    expect(dia.points[0].y).toBeLessThanOrEqual(130);
    expect(sys.path).toBe(`M40 ${sys.points[0].y} L290 ${sys.points[1].y}`);
    expect(sys.points[0].title).toBe('Systolic 120 mmHg · 2024-01-01');
  });

  it('leaves the series name out of titles on a one-line chart and centres a single reading', () => {
    const l = layoutChart([{ name: 'Weight', points: [{ t: '2024-03-02T10:00:00Z', value: 72.44 }] }], { ...opts, unit: 'kg' });
    expect(l?.series[0].points[0]).toEqual({ x: 165, y: expect.any(Number), title: '72.4 kg · 2024-03-02' });
    expect(l?.series[0].path).toBe(`M165 ${l?.series[0].points[0].y}`);
    expect(l?.xTicks.length).toBeGreaterThan(0);
  });

  it('skips unusable points but keeps the rest', () => {
    const l = layoutChart([{ name: 'HR', points: [{ t: '2024-01-01T00:00:00Z', value: 60 }, { t: '2024-02-01T00:00:00Z', value: Number.NaN }, { t: '2024-03-01T00:00:00Z', value: 70 }] }], opts);
    expect(l?.series[0].points).toHaveLength(2);
  });
});
