// Geometry for the small line charts: nice value ticks, calendar-aligned time ticks, and the SVG
// paths and point positions. Pure functions of the data, so the LineChart component only draws.

export interface Tick {
  value: number;
  label: string;
  /** Position along the axis in SVG units. */
  pos: number;
}

/** A step of 1, 2, 2.5 or 5 × 10^k no smaller than `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const mag = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= rough * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

/** Decimal places needed to print multiples of `step` exactly (2.5 → 1, 0.25 → 2, 20 → 0). */
export function stepDecimals(step: number): number {
  for (let d = 0; d <= 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 10;
}

/**
 * Round-number ticks covering [min, max] with at most about `maxCount` ticks. The first tick is ≤ min
 * and the last ≥ max, so the chart's value range is [ticks[0], ticks.at(-1)].
 */
export function niceTicks(min: number, max: number, maxCount = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // A flat series still needs a visible range around its value.
    const pad = Math.abs(min) * 0.05 || 1;
    min -= pad;
    max += pad;
  }
  const count = Math.max(2, maxCount);
  let step = niceStep((max - min) / (count - 1));
  let start = Math.floor(min / step + 1e-9) * step;
  let end = Math.ceil(max / step - 1e-9) * step;
  // Rounding outwards can add a tick beyond the budget; take the next step up when it does.
  while (Math.round((end - start) / step) + 1 > count) {
    step = niceStep(step * 1.01);
    start = Math.floor(min / step + 1e-9) * step;
    end = Math.ceil(max / step - 1e-9) * step;
  }
  const d = stepDecimals(step);
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9; i++) ticks.push(Number((start + i * step).toFixed(d)));
  return ticks;
}

type TimeUnit = 'day' | 'month' | 'year';
interface TimeStep {
  unit: TimeUnit;
  n: number;
}

const DAY = 86_400_000;
const timeSteps: TimeStep[] = [
  { unit: 'day', n: 1 },
  { unit: 'day', n: 2 },
  { unit: 'day', n: 7 },
  { unit: 'day', n: 14 },
  { unit: 'month', n: 1 },
  { unit: 'month', n: 2 },
  { unit: 'month', n: 3 },
  { unit: 'month', n: 6 },
  { unit: 'year', n: 1 },
  { unit: 'year', n: 2 },
  { unit: 'year', n: 5 },
  { unit: 'year', n: 10 },
  { unit: 'year', n: 20 },
  { unit: 'year', n: 25 },
  { unit: 'year', n: 50 },
];

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The first boundary of `step` at or after `ms` (UTC calendar: 1st of a month, 1 January). */
function firstBoundary(ms: number, s: TimeStep): Date {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (s.unit === 'year') {
    let year = Math.ceil(y / s.n) * s.n;
    if (Date.UTC(year, 0, 1) < ms) year += s.n;
    return new Date(Date.UTC(year, 0, 1));
  }
  if (s.unit === 'month') {
    let m = Math.ceil(d.getUTCMonth() / s.n) * s.n;
    if (Date.UTC(y, m, 1) < ms) m += s.n;
    return new Date(Date.UTC(y, m, 1));
  }
  const day = Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
  return new Date(day < ms ? day + DAY : day);
}

function advance(d: Date, s: TimeStep): Date {
  if (s.unit === 'year') return new Date(Date.UTC(d.getUTCFullYear() + s.n, 0, 1));
  if (s.unit === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + s.n, 1));
  return new Date(d.getTime() + s.n * DAY);
}

function timeLabel(d: Date, s: TimeStep): string {
  if (s.unit === 'year') return String(d.getUTCFullYear());
  if (s.unit === 'month') return d.getUTCMonth() === 0 || s.n >= 6 ? `${months[d.getUTCMonth()]} ${d.getUTCFullYear()}` : months[d.getUTCMonth()];
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/**
 * Calendar-aligned ticks (UTC) inside [minMs, maxMs], at most `maxCount` of them, with labels sized
 * to the step: years as "2019", months as "Mar" (with the year in January), days as "Mar 2".
 * An empty range between two boundaries (e.g. three days in mid-month at a month step) can give
 * fewer ticks; the finest step that fits is always tried first.
 */
export function timeTicks(minMs: number, maxMs: number, maxCount = 5): { value: number; label: string }[] {
  if (!Number.isFinite(minMs) || !Number.isFinite(maxMs) || maxMs < minMs) return [];
  // The finest step whose ticks inside the range fit the budget: counting real boundaries (not
  // span / step) keeps a ten-year range from collapsing to a single "2020".
  // ticksOf stops one past the budget, so trying the fine steps on a long range stays cheap.
  for (const step of timeSteps) {
    const ticks = ticksOf(minMs, maxMs, step, maxCount + 1);
    if (ticks.length <= maxCount) return ticks;
  }
  return ticksOf(minMs, maxMs, timeSteps[timeSteps.length - 1], maxCount);
}

function ticksOf(minMs: number, maxMs: number, step: TimeStep, limit: number): { value: number; label: string }[] {
  const out: { value: number; label: string }[] = [];
  for (let d = firstBoundary(minMs, step); d.getTime() <= maxMs && out.length < limit; d = advance(d, step)) {
    out.push({ value: d.getTime(), label: timeLabel(d, step) });
  }
  return out;
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A value as people read vitals: whole numbers as is, others to one decimal (two below 10). */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(Math.abs(v) < 10 ? 2 : 1)));
}

/** "2024-05-01" in UTC, the day an observation was taken. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface ChartSeries {
  name: string;
  points: { t: string; value: number }[];
}

export interface PlottedPoint {
  x: number;
  y: number;
  title: string;
}

export interface PlottedSeries {
  name: string;
  path: string;
  points: PlottedPoint[];
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: Tick[];
  yTicks: Tick[];
  series: PlottedSeries[];
}

export interface ChartOptions {
  width: number;
  height: number;
  /** Display unit for point titles. */
  unit: string;
  margin?: { left: number; top: number; right: number; bottom: number };
  xTickCount?: number;
  yTickCount?: number;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Lays out one or more series on shared axes. Returns null when no series has a usable point
 * (the caller shows an empty state instead of empty axes). Points with an unparseable time or a
 * non-finite value are skipped.
 */
export function layoutChart(input: ChartSeries[], o: ChartOptions): ChartLayout | null {
  const margin = o.margin ?? { left: 40, top: 24, right: 14, bottom: 22 };
  const parsed = input.map((s) => ({
    name: s.name,
    points: s.points.map((p) => ({ t: Date.parse(p.t), value: p.value })).filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value)),
  }));
  const all = parsed.flatMap((s) => s.points);
  if (all.length === 0) return null;

  // Loops rather than Math.min(...spread): a long history must not overflow the call stack.
  let [t0, t1, v0, v1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of all) {
    t0 = Math.min(t0, p.t);
    t1 = Math.max(t1, p.t);
    v0 = Math.min(v0, p.value);
    v1 = Math.max(v1, p.value);
  }
  if (t0 === t1) {
    // One day of data: give it a week either side so the axis has a date to show.
    t0 -= 7 * DAY;
    t1 += 7 * DAY;
  }
  const yValues = niceTicks(v0, v1, o.yTickCount ?? 4);
  const plot = { left: margin.left, top: margin.top, right: o.width - margin.right, bottom: o.height - margin.bottom };
  const x = scale(t0, t1, plot.left, plot.right);
  const y = scale(yValues[0], yValues[yValues.length - 1], plot.bottom, plot.top);
  const decimals = yValues.length > 1 ? stepDecimals(yValues[1] - yValues[0]) : 0;
  const multi = parsed.length > 1;

  return {
    width: o.width,
    height: o.height,
    plot,
    yTicks: yValues.map((v) => ({ value: v, label: v.toFixed(decimals), pos: round1(y(v)) })),
    xTicks: timeTicks(t0, t1, o.xTickCount ?? 5).map((t) => ({ ...t, pos: round1(x(t.value)) })),
    series: parsed.map((s) => {
      const points = s.points.map((p) => ({
        x: round1(x(p.t)),
        y: round1(y(p.value)),
        title: `${multi ? `${s.name} ` : ''}${formatValue(p.value)}${o.unit ? ` ${o.unit}` : ''} · ${isoDay(p.t)}`,
      }));
      return { name: s.name, points, path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ') };
    }),
  };
}
