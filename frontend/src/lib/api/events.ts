// Flow events — server/events, server/control/events.go
import { defaultEventSource, getJSON, withQuery, type EventSourceLike, type Fetch } from './request';

/** One protocol step. Credentials are redacted by the server; JWTs keep header and claims, not the signature. */
export interface FlowEvent {
  id: number;
  /** RFC 3339 time (the sandbox clock). */
  at: string;
  kind: string;
  launch_id?: string;
  /** The authorization request (and the grant it becomes). */
  flow_id?: string;
  client_id?: string;
  request?: Record<string, unknown>;
  decision?: string;
  response?: Record<string, unknown>;
  /** The simulation (server/sim) that shaped this step, when one did. */
  simulated?: { id: string; kind: string };
}

export interface EventQuery {
  client?: string;
  launch?: string;
  /** RFC 3339: only events at or after this time. */
  since?: string;
  /** Only events with a larger id (paging, and resuming a stream). */
  after?: number;
  limit?: number;
}

function eventParams(q: EventQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (q.client) params.set('client', q.client);
  if (q.launch) params.set('launch', q.launch);
  if (q.since) params.set('since', q.since);
  if (q.after) params.set('after', String(q.after));
  if (q.limit) params.set('limit', String(q.limit));
  return params;
}

/** GET /api/events — stored events in id order (the server caps a page at 1,000). */
export async function listEvents(q: EventQuery, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<FlowEvent[]> {
  return (await getJSON<FlowEvent[] | null>(withQuery('/api/events', eventParams(q)), fetchFn, signal)) ?? [];
}

/** The URL of the live event stream (SSE) with the same filters; `after` skips what history already holds. */
export function eventStreamURL(q: EventQuery): string {
  return withQuery('/api/events/stream', eventParams({ ...q, limit: undefined }));
}

/** Opens an EventSource; tests pass their own. The browser resumes after Last-Event-ID by itself. */
export function openEventSource(url: string): EventSourceLike | null {
  const open = defaultEventSource();
  return open ? open(url) : null;
}
