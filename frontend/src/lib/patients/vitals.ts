// Which charts the patient detail draws from the vital-sign series the server returns (by LOINC code),
// and how UCUM units read on screen.
import type { VitalSeries } from '../api';
import type { ChartSeries } from './chart';

interface ChartDef {
  key: string;
  title: string;
  /** LOINC codes drawn on this chart, with the legend name of each line. */
  lines: [code: string, name: string][];
  /** Shown (with a "not recorded" note) even when empty, so a missing core vital is visible. */
  core: boolean;
}

const defs: ChartDef[] = [
  { key: 'bp', title: 'Blood pressure', lines: [['8480-6', 'Systolic'], ['8462-4', 'Diastolic']], core: true },
  { key: 'hr', title: 'Heart rate', lines: [['8867-4', 'Heart rate']], core: true },
  { key: 'weight', title: 'Body weight', lines: [['29463-7', 'Weight']], core: true },
  { key: 'bmi', title: 'BMI', lines: [['39156-5', 'BMI']], core: true },
  { key: 'height', title: 'Body height', lines: [['8302-2', 'Height']], core: false },
  { key: 'temp', title: 'Body temperature', lines: [['8310-5', 'Temperature']], core: false },
  { key: 'rr', title: 'Respiratory rate', lines: [['9279-1', 'Respiratory rate']], core: false },
  { key: 'spo2', title: 'Oxygen saturation', lines: [['59408-5', 'SpO₂']], core: false },
];

const ucum: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  'kg/m2': 'kg/m²',
  Cel: '°C',
  '[degF]': '°F',
  '[lb_av]': 'lb',
  '[in_i]': 'in',
  '/min': '/min',
  '{beats}/min': 'beats/min',
  '{breaths}/min': 'breaths/min',
};

/** A UCUM unit as people write it: mm[Hg] → mmHg, kg/m2 → kg/m², Cel → °C. */
export function displayUnit(unit: string): string {
  return ucum[unit] ?? unit;
}

export interface VitalChart {
  key: string;
  title: string;
  unit: string;
  series: ChartSeries[];
  /** True when no line has a point. */
  empty: boolean;
}

/**
 * The charts for one patient: the core four (blood pressure with systolic and diastolic together,
 * heart rate, weight, BMI) always, the other known vitals when recorded, and any series with an
 * unknown code on its own chart. Returns [] when the patient has no vital signs at all.
 */
export function vitalCharts(vitals: VitalSeries[] | null | undefined): VitalChart[] {
  const byCode = new Map((vitals ?? []).map((v) => [v.code, v]));
  const hasAny = [...byCode.values()].some((v) => (v.points?.length ?? 0) > 0);
  if (!hasAny) return [];
  const used = new Set<string>();
  const charts: VitalChart[] = [];
  const push = (key: string, title: string, lines: [VitalSeries | undefined, string][], core: boolean) => {
    const series = lines.map(([v, name]) => ({ name, points: v?.points ?? [] }));
    const empty = series.every((s) => s.points.length === 0);
    if (empty && !core) return;
    const unit = lines.find(([v]) => v?.unit)?.[0]?.unit ?? '';
    charts.push({ key, title, unit: displayUnit(unit), series, empty });
  };
  for (const d of defs) {
    d.lines.forEach(([code]) => used.add(code));
    push(d.key, d.title, d.lines.map(([code, name]) => [byCode.get(code), name]), d.core);
  }
  for (const v of byCode.values()) {
    if (!used.has(v.code)) push(v.code, v.display || v.code, [[v, v.display || v.code]], false);
  }
  return charts;
}
