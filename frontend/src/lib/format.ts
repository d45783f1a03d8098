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
