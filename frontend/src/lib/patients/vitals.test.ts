import { describe, expect, it } from 'vitest';
import type { VitalSeries } from '../api';
import { displayUnit, vitalCharts } from './vitals';

const series = (code: string, unit: string, n = 2, display = code): VitalSeries => ({
  code,
  display,
  unit,
  points: Array.from({ length: n }, (_, i) => ({ t: `2024-0${i + 1}-01T10:00:00Z`, value: 100 + i })),
});

describe('vitalCharts', () => {
  it('is empty when the patient has no vital signs (the no-clinical-data persona)', () => {
    expect(vitalCharts(null)).toEqual([]);
    expect(vitalCharts([])).toEqual([]);
    expect(vitalCharts([series('8480-6', 'mm[Hg]', 0)])).toEqual([]);
  });

  it('draws systolic and diastolic on one blood-pressure chart, then the core vitals', () => {
    const charts = vitalCharts([series('8867-4', '/min'), series('8462-4', 'mm[Hg]'), series('8480-6', 'mm[Hg]'), series('29463-7', 'kg'), series('39156-5', 'kg/m2')]);
    expect(charts.map((c) => c.key)).toEqual(['bp', 'hr', 'weight', 'bmi']);
    expect(charts[0].series.map((s) => s.name)).toEqual(['Systolic', 'Diastolic']);
    expect(charts[0].unit).toBe('mmHg');
    expect(charts[3].unit).toBe('kg/m²');
    expect(charts.every((c) => !c.empty)).toBe(true);
  });

  it('keeps a missing core vital as an empty chart but drops missing optional ones', () => {
    const charts = vitalCharts([series('8867-4', '/min')]);
    expect(charts.map((c) => [c.key, c.empty])).toEqual([
      ['bp', true],
      ['hr', false],
      ['weight', true],
      ['bmi', true],
    ]);
  });

  it('adds recorded optional vitals and unknown codes after the core ones', () => {
    const charts = vitalCharts([series('8867-4', '/min'), series('8310-5', 'Cel'), series('9843-4', 'cm', 2, 'Head Occipital-frontal circumference')]);
    expect(charts.map((c) => c.title)).toEqual(['Blood pressure', 'Heart rate', 'Body weight', 'BMI', 'Body temperature', 'Head Occipital-frontal circumference']);
    expect(charts[4].unit).toBe('°C');
  });
});

describe('displayUnit', () => {
  it('writes UCUM codes the way people read them and passes others through', () => {
    expect(displayUnit('mm[Hg]')).toBe('mmHg');
    expect(displayUnit('Cel')).toBe('°C');
    expect(displayUnit('%')).toBe('%');
  });
});
