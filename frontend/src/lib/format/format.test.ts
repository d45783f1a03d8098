import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatClock, formatCount, formatTimeOfDay, formatUptime, liveUptime, sortCounts } from './format';

describe('formatUptime', () => {
  it.each([
    [0, '0s'],
    [12.9, '12s'],
    [59, '59s'],
    [60, '1m 00s'],
    [61, '1m 01s'],
    [3599, '59m 59s'],
    [3600, '1h 00m 00s'],
    [3 * 3600 + 5 * 60 + 9, '3h 05m 09s'],
    [86400, '1d 0h 00m 00s'],
    [2 * 86400 + 4 * 3600 + 7, '2d 4h 00m 07s'],
  ])('formats %s seconds as %s', (input, want) => {
    expect(formatUptime(input)).toBe(want);
  });

  it('shows a dash for values that are not a duration', () => {
    expect(formatUptime(-1)).toBe('—');
    expect(formatUptime(Number.NaN)).toBe('—');
    expect(formatUptime(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('liveUptime', () => {
  it('adds the time elapsed since the fetch', () => {
    expect(liveUptime(12.5, 1_000, 4_500)).toBe(16);
  });

  it('never goes backwards if the clock reads earlier than the fetch', () => {
    expect(liveUptime(12.5, 5_000, 4_000)).toBe(12.5);
  });
});

describe('sortCounts', () => {
  it('orders by count descending, then by type name', () => {
    expect(sortCounts({ Patient: 25, Observation: 900, Encounter: 25, Condition: 40 })).toEqual([
      { type: 'Observation', count: 900 },
      { type: 'Condition', count: 40 },
      { type: 'Encounter', count: 25 },
      { type: 'Patient', count: 25 },
    ]);
  });

  it('treats a missing map as no resources', () => {
    expect(sortCounts(undefined)).toEqual([]);
    expect(sortCounts(null)).toEqual([]);
    expect(sortCounts({})).toEqual([]);
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('flow times', () => {
  it('shows clock time with milliseconds in the local zone', () => {
    const d = new Date(2026, 10, 26, 9, 5, 7, 42);
    expect(formatClock(d.toISOString())).toBe('09:05:07.042');
    expect(formatClock('not a time')).toBe('not a time');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(formatAgo('2026-11-26T11:59:55Z', now)).toBe('just now');
    expect(formatAgo('2026-11-26T11:59:30Z', now)).toBe('30 s ago');
    expect(formatAgo('2026-11-26T11:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2026-11-26T09:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-20T09:00:00Z', now)).toMatch(/^2026-11-2\d$/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [40_960, '41.0 kB'],
    [99_940, '99.9 kB'],
    [99_960, '100 kB'],
    [999_400, '999 kB'],
    [999_960, '1.0 MB'],
    [4_218_880, '4.2 MB'],
    [412_000_000, '412 MB'],
    [1_300_000_000, '1.3 GB'],
  ])('formats %s bytes as %s', (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });

  it('shows a dash for values that are not a size', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatTimeOfDay', () => {
  it('gives the local time to the second', () => {
    expect(formatTimeOfDay(new Date(2026, 10, 27, 9, 5, 7, 942).getTime())).toBe('09:05:07');
    expect(formatTimeOfDay(Number.NaN)).toBe('—');
  });
});
