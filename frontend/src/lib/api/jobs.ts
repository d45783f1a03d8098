// Jobs: long work (generate, reset, import) runs in the background on the server — server/control/jobs.go.
import { ApiError, defaultEventSource, getJSON, request, type Answer, type EventSourceLike, type Fetch } from './request';

/** 'seed' is the default population a new sandbox loads at first start. */
export type JobKind = 'generate' | 'reset' | 'import' | 'seed';
export type JobState = 'running' | 'done' | 'failed' | 'canceled';

export interface JobProgress {
  done: number;
  /** 0 while the total is unknown. */
  total: number;
  resources: number;
  message?: string;
}

/** What a generate, reset or import stored (present only when the job is done). */
export interface JobResult {
  patients: number;
  resources: number;
  by_type: Record<string, number>;
  seconds: number;
}

export interface Job {
  id: string;
  kind: JobKind;
  state: JobState;
  progress: JobProgress;
  started_at: string;
  finished_at?: string;
  error?: string;
  result?: JobResult;
}

/** POST /api/generate body (the flags of `valet generate`). */
export interface GenerateRequest {
  patients: number;
  seed: number;
  personas: boolean;
  years: number;
  /** The data's "now" (YYYY-MM-DD): every record ends before it. Absent: the server's fixed default date. */
  as_of?: string;
}

/**
 * The answer to a request that starts a job: either our new job, or — when the server was already
 * busy (409) — the job that is running, which the panel follows instead.
 */
export type JobStart = { job: Job; attached: false } | { job: Job; attached: true; message: string };

function jobStart(path: string, answer: Answer): JobStart {
  const body = answer.body as { job?: Job; error?: string } & Partial<Job>;
  if (answer.status === 409) {
    if (!body.job) throw new ApiError(`${path} answered 409 without the running job${body.error ? `: ${body.error}` : ''}`, 409, body.error);
    return { job: body.job, attached: true, message: body.error ?? 'Another job is running.' };
  }
  return { job: body as Job, attached: false };
}

/** POST /api/generate — starts generating patients; 400 (bad input) throws an ApiError with the server's message. */
export async function startGenerate(req: GenerateRequest, fetchFn: Fetch = fetch): Promise<JobStart> {
  return jobStart('/api/generate', await request('POST', '/api/generate', fetchFn, { body: req, accept: [409] }));
}

/** POST /api/reset — deletes all FHIR data and restores the default population. */
export async function startReset(fetchFn: Fetch = fetch): Promise<JobStart> {
  return jobStart('/api/reset', await request('POST', '/api/reset', fetchFn, { accept: [409] }));
}

export function getJob(id: string, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Job> {
  return getJSON<Job>(`/api/jobs/${encodeURIComponent(id)}`, fetchFn, signal);
}

/** GET /api/jobs — the server's recent jobs, newest first (used to re-attach to a running job). */
export async function listJobs(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Job[]> {
  return (await getJSON<{ jobs: Job[] | null }>('/api/jobs', fetchFn, signal)).jobs ?? [];
}

/** DELETE /api/jobs/{id} — asks the job to stop; its stream then ends with state "canceled". */
export async function cancelJob(id: string, fetchFn: Fetch = fetch): Promise<Job> {
  return (await request('DELETE', `/api/jobs/${encodeURIComponent(id)}`, fetchFn)).body as Job;
}

export const isFinished = (job: Job): boolean => job.state !== 'running';

export interface FollowOptions {
  /** Opens the event stream; null forces polling. Defaults to the browser's EventSource. */
  openEvents?: ((url: string) => EventSourceLike) | null;
  fetchFn?: Fetch;
  pollMs?: number;
}

export interface FollowHandlers {
  /** Every snapshot of the job, from the stream or a poll, in the order received. */
  onSnapshot(job: Job): void;
  /** A poll failed (message) or worked again after failing (null). */
  onConnection?(error: string | null): void;
}

/**
 * Follows a job until it finishes: server-sent events from /api/jobs/{id}/events, and if the stream
 * errors (proxy without streaming, server restart), polling GET /api/jobs/{id} every pollMs instead.
 * Returns a function that stops following.
 */
export function followJob(id: string, handlers: FollowHandlers, opts: FollowOptions = {}): () => void {
  const fetchFn = opts.fetchFn ?? fetch;
  const pollMs = opts.pollMs ?? 500;
  const openEvents = opts.openEvents === undefined ? defaultEventSource() : opts.openEvents;
  let stopped = false;
  let source: EventSourceLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  let failing = false;

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
    controller?.abort();
  };

  const poll = async () => {
    if (stopped) return;
    controller = new AbortController();
    try {
      const job = await getJob(id, controller.signal, fetchFn);
      if (stopped) return;
      if (failing) handlers.onConnection?.(null);
      failing = false;
      handlers.onSnapshot(job);
      if (isFinished(job)) return stop();
    } catch (err) {
      if (stopped) return;
      failing = true;
      handlers.onConnection?.(err instanceof Error ? err.message : String(err));
      // The server forgot the job (it restarted): nothing left to follow.
      if (err instanceof ApiError && err.status === 404) return stop();
    }
    timer = setTimeout(poll, pollMs);
  };

  const fallBack = () => {
    if (stopped || !source) return;
    source.close();
    source = undefined;
    void poll();
  };

  if (!openEvents) {
    void poll();
    return stop;
  }
  source = openEvents(`/api/jobs/${encodeURIComponent(id)}/events`);
  const onEvent = (final: boolean) => (ev: MessageEvent) => {
    if (stopped) return;
    let job: Job;
    try {
      job = JSON.parse(String(ev.data)) as Job;
    } catch {
      return fallBack();
    }
    handlers.onSnapshot(job);
    if (final || isFinished(job)) stop();
  };
  source.addEventListener('progress', onEvent(false));
  source.addEventListener('end', onEvent(true));
  // EventSource would reconnect on its own, but a stream that errors once (often a proxy that
  // buffers) tends to keep erroring; polling is slower but always works.
  source.addEventListener('error', fallBack);
  return stop;
}
