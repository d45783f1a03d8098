// Reactive event log behind the Flows view: history from GET /api/events (paged by id), then the live
// stream from /api/events/stream starting after the last event history returned, so nothing falls in
// between. EventSource reconnects by itself and resumes with Last-Event-ID.
import { eventStreamURL, listEvents, openEventSource, type EventQuery, type EventSourceLike, type FlowEvent } from '../api';
import { groupFlows, mergeEvents, type Flow } from './flows';

const PAGE = 1000;
/** History beyond this many events is left out (the filters narrow it); the stream still adds new ones. */
export const HISTORY_CAP = 10_000;

// The stream names each SSE event by its kind (`event: token.issued`), so EventSource delivers it only to
// listeners of that name: these are the kinds server/auth records.
export const STREAM_KINDS = [
  'launch.created', 'authorize.received', 'authorize.refused', 'login', 'login.refused', 'patient.selected', 'encounter.selected',
  'consent.approved', 'consent.auto', 'consent.denied', 'csrf.refused', 'code.issued', 'token.request', 'token.issued', 'token.refused',
  'introspect', 'revoke', 'register', 'logout', 'user.password', 'message',
  'expired', 'revoked', 'session.expired', 'login.stale', 'patient.cancelled', 'consent.remembered', 'consent.forgotten', 'consent.set',
  'fhir.simulated', 'fhir.rate_limited',
];

export type LiveState = 'off' | 'connecting' | 'live' | 'reconnecting';

interface Source extends EventSourceLike {
  readyState?: number;
}

export class FlowFeed {
  events = $state.raw<FlowEvent[]>([]);
  flows = $derived<Flow[]>(groupFlows(this.events));
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  live = $state<LiveState>('off');
  /** True when history hit HISTORY_CAP and older events were left out. */
  truncated = $state(false);

  #source: Source | undefined;
  #controller: AbortController | undefined;
  #pending: FlowEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** (Re)starts the feed with a filter: clears what is shown, loads history, then follows the stream. */
  async start(filter: EventQuery): Promise<void> {
    this.stop();
    const controller = new AbortController();
    this.#controller = controller;
    this.events = [];
    this.loaded = false;
    this.loading = true;
    this.error = null;
    this.truncated = false;
    let all: FlowEvent[] = [];
    try {
      for (;;) {
        const page = await listEvents({ ...filter, after: all.at(-1)?.id, limit: PAGE }, controller.signal);
        all = all.concat(page);
        if (page.length < PAGE) break;
        if (all.length >= HISTORY_CAP) {
          this.truncated = true;
          break;
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      this.error = err instanceof Error ? err.message : String(err);
    }
    if (controller.signal.aborted) return;
    this.events = all;
    this.loaded = !this.error;
    this.loading = false;
    this.#follow({ ...filter, after: all.at(-1)?.id });
  }

  #follow(filter: EventQuery): void {
    const source = openEventSource(eventStreamURL(filter)) as Source | null;
    if (!source) return;
    this.#source = source;
    this.live = 'connecting';
    source.addEventListener('open', () => (this.live = 'live'));
    source.addEventListener('error', () => {
      // CLOSED (2) means the browser gave up (e.g. a 4xx); otherwise it is reconnecting by itself.
      this.live = source.readyState === 2 ? 'off' : 'reconnecting';
    });
    const onEvent = (ev: MessageEvent) => {
      try {
        this.#pending.push(JSON.parse(String(ev.data)) as FlowEvent);
      } catch {
        return;
      }
      this.live = 'live';
      // A flow is a burst of steps: regroup once per burst, not once per event.
      this.#timer ??= setTimeout(() => this.#flush(), 60);
    };
    for (const kind of STREAM_KINDS) source.addEventListener(kind, onEvent);
  }

  #flush(): void {
    this.#timer = undefined;
    const batch = this.#pending.sort((a, b) => a.id - b.id);
    this.#pending = [];
    this.events = mergeEvents(this.events, batch);
  }

  stop(): void {
    this.#controller?.abort();
    this.#source?.close();
    this.#source = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.live = 'off';
  }
}
