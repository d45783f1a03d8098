// Storage and retention — server/control/storage.go, server/wire (Storage, Retention, Prune)
import { getJSON, request, type Fetch } from './request';

/** What the sandbox keeps of the flow history and the FHIR request log. 0 turns a bound off. */
export interface Retention {
  /** Flow events older than this many days go. */
  events_days: number;
  /** Beyond the newest this many flow events, older ones go. */
  events_max: number;
  /** FHIR request log entries (AuditEvents) older than this many days go. */
  audit_days: number;
}

/** One background pruning pass: when it started, how long it took, what it removed by kind of record. */
export interface Prune {
  /** RFC 3339. */
  started: string;
  seconds: number;
  /** By kind (events, audit_log, grants, refresh_tokens, …); kinds with nothing removed are left out. */
  removed: Record<string, number>;
  /** Why the pass stopped early, when it did. */
  error?: string;
}

/** GET /api/storage. */
export interface Storage {
  /** The database file and its write-ahead log. */
  database_bytes: number;
  /** Flow events stored. */
  events: number;
  retention: Retention;
  /** Absent until the first pass has run. */
  last_prune?: Prune;
}

/** One table of the database and the bytes its pages (with its indexes) take. */
export interface TableUsage {
  table: string;
  bytes: number;
}

export function getStorage(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Storage> {
  return getJSON<Storage>('/api/storage', fetchFn, signal);
}

/** GET /api/storage/usage — largest first. The server reads every page of the database: ask, don't poll. */
export async function getStorageUsage(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<TableUsage[]> {
  return (await getJSON<{ tables: TableUsage[] | null }>('/api/storage/usage', fetchFn, signal)).tables ?? [];
}

export function getRetention(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Retention> {
  return getJSON<Retention>('/api/retention', fetchFn, signal);
}

/**
 * PUT /api/retention — answers the settings it stored and starts a pruning pass. Every member is sent: one
 * left out would arrive as 0, which turns its bound off. A 400 names the member it refuses in `field`.
 */
export async function setRetention(r: Retention, fetchFn: Fetch = fetch): Promise<Retention> {
  const body: Retention = { events_days: r.events_days, events_max: r.events_max, audit_days: r.audit_days };
  return (await request('PUT', '/api/retention', fetchFn, { body })).body as Retention;
}

/** DELETE /api/events — clears the flow history; answers how many events went. */
export async function clearEvents(fetchFn: Fetch = fetch): Promise<number> {
  return ((await request('DELETE', '/api/events', fetchFn)).body as { removed: number }).removed;
}
