// The Settings view's Storage card: what the last pruning pass did, in words, and the per-table usage
// list (server/store: PruneKinds, Usage).
import type { Prune, TableUsage } from '../api';
import { formatAgo, formatBytes, formatCount } from '../format/format';

/** What a pass removes, by kind (server/store PruneKind), in the order a pass removes them. */
const PRUNE_KINDS: [kind: string, one: string, many: string][] = [
  ['events', 'flow event', 'flow events'],
  ['audit_log', 'audit log entry', 'audit log entries'],
  ['grants', 'grant', 'grants'],
  ['refresh_tokens', 'refresh token', 'refresh tokens'],
  ['revoked_access_tokens', 'access token revocation', 'access token revocations'],
  ['access_tokens', 'access token', 'access tokens'],
  ['assertion_jtis', 'client assertion jti', 'client assertion jtis'],
  ['auth_requests', 'authorization request', 'authorization requests'],
  ['launches', 'launch', 'launches'],
  ['sessions', 'ended session', 'ended sessions'],
];

/** "12 flow events, 3 grants", or "nothing". Kinds this panel does not know (a newer server) follow by name. */
export function prunedSummary(removed: Record<string, number> | null | undefined): string {
  const known = new Set(PRUNE_KINDS.map(([k]) => k));
  const parts: string[] = [];
  const say = (n: number, one: string, many: string) => parts.push(`${formatCount(n)} ${n === 1 ? one : many}`);
  for (const [kind, one, many] of PRUNE_KINDS) {
    const n = removed?.[kind] ?? 0;
    if (n > 0) say(n, one, many);
  }
  for (const [kind, n] of Object.entries(removed ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!known.has(kind) && n > 0) say(n, kind.replaceAll('_', ' '), kind.replaceAll('_', ' '));
  }
  return parts.length ? parts.join(', ') : 'nothing';
}

/** "0.4 s", "12 ms", "< 1 ms": how long a pass took. */
export function passDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 0.001) return '< 1 ms';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
}

export interface PruneLine {
  /** "5 min ago" (or the date for older ones). */
  ago: string;
  /** The local time, for the tooltip. */
  at: string;
  took: string;
  removed: string;
  error?: string;
}

export function pruneLine(p: Prune, nowMs: number): PruneLine {
  const at = new Date(p.started);
  return {
    ago: formatAgo(p.started, nowMs),
    at: Number.isNaN(at.getTime()) ? p.started : at.toLocaleString(),
    took: passDuration(p.seconds),
    removed: prunedSummary(p.removed),
    ...(p.error ? { error: p.error } : {}),
  };
}

/** What the main tables hold, for the usage list; the rest are named only. */
export function tableNote(table: string): string | undefined {
  if (table.startsWith('idx_')) return 'search index';
  return (
    {
      resources: 'FHIR resources',
      resource_history: 'every version of every resource',
      compartment: 'search index: the patients each resource belongs to',
      events: 'flow history: kept as the settings above say',
      audit_log: 'FHIR request log: kept as the settings above say',
    } as Record<string, string>
  )[table];
}

export interface UsageRow {
  table: string;
  note: string | undefined;
  size: string;
  /** Share of all the tables take, 0–1: the bar's length. */
  share: number;
}

/** How many tables the usage list shows before "Show all": the large ones. */
export const USAGE_SHOWN = 10;

export interface Usage {
  /** In the server's order, largest first. */
  rows: UsageRow[];
  /** What all the tables take. */
  total: string;
  /** What the rest of the database takes: its write-ahead log and free pages (and SQLite's own small tables). */
  rest: string | undefined;
}

/** The usage list, and what of `databaseBytes` (GET /api/storage) no table accounts for. */
export function usageRows(tables: readonly TableUsage[], databaseBytes?: number): Usage {
  const sum = tables.reduce((s, t) => s + t.bytes, 0);
  const rest = databaseBytes === undefined ? 0 : databaseBytes - sum;
  return {
    rows: tables.map((t) => ({ table: t.table, note: tableNote(t.table), size: formatBytes(t.bytes), share: sum > 0 ? t.bytes / sum : 0 })),
    total: formatBytes(sum),
    // The two are read at different moments; a difference below one page says nothing.
    rest: rest >= 4096 ? formatBytes(rest) : undefined,
  };
}
