// Pure presentation helpers for the Dashboard; kept out of components so they are unit-tested.

/** Formats a duration like "3d 4h 05m 09s"; leading zero units are dropped, seconds always shown. */
export function formatUptime(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  let s = Math.floor(totalSeconds);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  const seconds = s - minutes * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/**
 * Uptime as of `nowMs`: the server's figure when it was fetched plus the time since, so the
 * display ticks between polls without trusting the browser's clock to match the server's.
 */
export function liveUptime(uptimeSeconds: number, fetchedAtMs: number, nowMs: number): number {
  return uptimeSeconds + Math.max(0, nowMs - fetchedAtMs) / 1000;
}

export interface ResourceCount {
  type: string;
  count: number;
}

/** Resource counts, largest first; ties by type name so the table does not jump between polls. */
export function sortCounts(counts: Record<string, number> | null | undefined): ResourceCount[] {
  return Object.entries(counts ?? {})
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/**
 * A size in decimal units, as `valet compact` prints them: "512 B", "40.9 kB", "4.2 MB", "412 MB", "1.3 GB"
 * (one decimal below 100 of a unit).
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  // Up a unit whenever the value would round to 1000 or more of this one.
  while (v >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  return `${v < 99.95 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Wall-clock time with milliseconds ("23:50:48.449"): the steps of one flow are milliseconds apart. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The local time of day to the second ("00:10:03"), of a browser time in ms. */
export function formatTimeOfDay(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "just now", "5 min ago", "3 h ago", or the date for anything older than a day. */
export function formatAgo(iso: string, nowMs: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((nowMs - t) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString('en-CA');
}

/** A whole number typed into a field (optionally signed), or null for anything else. */
export function wholeNumber(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}
