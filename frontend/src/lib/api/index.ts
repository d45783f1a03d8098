// The control panel's only gateway to the Go server (STYLE.md practice 11): components import
// typed functions from here and never call fetch themselves, so the wire contract lives in one place.

/** GET /api/status — what the running sandbox is and where it can be reached. */
export interface Status {
  version: string;
  started_at: string;
  uptime_seconds: number;
  base_url: string;
  control_panel_url: string;
  fhir_base_url: string;
  smart_configuration_url: string;
  data_file: string;
  resource_counts: Record<string, number>;
  resource_total: number;
}

/** A failed control-API call, with the HTTP status when the server answered at all. */
export class ApiError extends Error {
  readonly status: number | undefined;
  /** The `error` field of the server's JSON error body, when it sent one: a message meant for users. */
  readonly serverMessage: string | undefined;

  constructor(message: string, status?: number, serverMessage?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

type Fetch = typeof fetch;

interface Answer {
  status: number;
  body: unknown;
}

/**
 * Sends one request and decodes the JSON answer. Statuses in `accept` are returned to the caller
 * (202 and 409 both carry a job); any other non-2xx status becomes an ApiError.
 */
async function request(
  method: string,
  path: string,
  fetchFn: Fetch,
  opts: { body?: unknown; signal?: AbortSignal; accept?: number[]; noBody?: boolean } = {},
): Promise<Answer> {
  let res: Response;
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The control API takes state changes only as JSON, body or not (a cross-site page cannot send JSON
  // without a CORS preflight, which /api refuses): see docs/control-api.md, "Who can call /api".
  if (opts.body !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH') headers['Content-Type'] = 'application/json';
  try {
    res = await fetchFn(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the Valet server (${path}).`);
  }
  if (!res.ok && !opts.accept?.includes(res.status)) {
    const text = (await res.text().catch(() => '')).trim();
    const serverMessage = errorField(text);
    const detail = (serverMessage ?? text).slice(0, 200);
    throw new ApiError(`${path} answered ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`, res.status, serverMessage);
  }
  if (opts.noBody || res.status === 204) return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: await res.json() };
  } catch {
    throw new ApiError(`${path} did not return valid JSON.`, res.status);
  }
}

/** The `error` of a control-API error body ({"error": "..."}), or undefined for any other body. */
function errorField(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && typeof (v as { error?: unknown }).error === 'string') return (v as { error: string }).error;
  } catch {
    // not JSON: the caller shows the raw text
  }
  return undefined;
}

async function getJSON<T>(path: string, fetchFn: Fetch, signal?: AbortSignal): Promise<T> {
  return (await request('GET', path, fetchFn, { signal })).body as T;
}

export function getStatus(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Status> {
  return getJSON<Status>('/api/status', fetchFn, signal);
}

// ---- Jobs: long work (generate, reset, import) runs in the background on the server ----

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

/** The part of EventSource that followJob uses, so tests can hand in a fake. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

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

function defaultEventSource(): ((url: string) => EventSourceLike) | null {
  return typeof EventSource === 'function' ? (url) => new EventSource(url) : null;
}

// ---- Patients ----

/** One row of GET /api/patients, and the `patient` of GET /api/patients/{id}. */
export interface PatientSummary {
  id: string;
  name: string;
  family: string;
  given: string[] | null;
  gender: string;
  /** FHIR date: YYYY, YYYY-MM or YYYY-MM-DD; "" when unknown. */
  birth_date: string;
  deceased: boolean;
  deceased_date: string;
  mrn: string;
  portal_user: boolean;
  tags: string[] | null;
}

export interface PatientPage {
  total: number;
  patients: PatientSummary[] | null;
}

export interface VitalPoint {
  /** RFC 3339 time of the observation. */
  t: string;
  value: number;
}

/** One vital sign (by LOINC code) over time, points sorted by time. */
export interface VitalSeries {
  code: string;
  display: string;
  /** UCUM unit, e.g. mm[Hg], kg/m2, /min. */
  unit: string;
  points: VitalPoint[] | null;
}

export interface PatientDetail {
  patient: PatientSummary;
  counts: Record<string, number> | null;
  vitals: VitalSeries[] | null;
}

export interface PatientQuery {
  /** Name, identifier or birth date. */
  q: string;
  count: number;
  offset: number;
}

export function listPatients(query: PatientQuery, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PatientPage> {
  const params = new URLSearchParams({ count: String(query.count), offset: String(query.offset) });
  if (query.q.trim()) params.set('q', query.q.trim());
  return getJSON<PatientPage>(`/api/patients?${params}`, fetchFn, signal);
}

/** GET /api/patients/{id}; an unknown id throws an ApiError with status 404. */
export function getPatient(id: string, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PatientDetail> {
  return getJSON<PatientDetail>(`/api/patients/${encodeURIComponent(id)}`, fetchFn, signal);
}

// ---- Practitioners and encounters — server/control/people.go ----

/** One row of GET /api/practitioners: a provider who can sign in. */
export interface PractitionerSummary {
  id: string;
  /** The fhirUser value: Practitioner/{id}. */
  reference: string;
  name: string;
  /** "" when the Practitioner has no NPI identifier. */
  npi: string;
}

export interface PractitionerPage {
  total: number;
  practitioners: PractitionerSummary[] | null;
}

/** GET /api/practitioners?q= — q is a name or an identifier such as the NPI. */
export function listPractitioners(query: PatientQuery, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PractitionerPage> {
  const params = new URLSearchParams({ count: String(query.count), offset: String(query.offset) });
  if (query.q.trim()) params.set('q', query.q.trim());
  return getJSON<PractitionerPage>(`/api/practitioners?${params}`, fetchFn, signal);
}

/** One row of GET /api/patients/{id}/encounters. */
export interface EncounterSummary {
  id: string;
  reference: string;
  status: string;
  /** The class's display, or its code (AMB, IMP, …). */
  class: string;
  /** The first type's text or display; "" when untyped. */
  type: string;
  /** RFC 3339 period start and end; "" when absent. */
  start: string;
  end: string;
}

/** GET /api/patients/{id}/encounters — most recent first. */
export async function listEncounters(patientId: string, count = 50, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<EncounterSummary[]> {
  const body = await getJSON<{ encounters: EncounterSummary[] | null }>(`/api/patients/${encodeURIComponent(patientId)}/encounters?count=${count}`, fetchFn, signal);
  return body.encounters ?? [];
}

// ---- Apps (registered OAuth clients) — server/auth/clients.go ----

/** How a client authenticates, derived by the server from token_endpoint_auth_method and grant_types. */
export type ClientType = 'public' | 'confidential-symmetric' | 'confidential-asymmetric' | 'backend-service';
export type AuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** A registered app as GET /api/clients shows it (the secret is never shown again after creation). */
export interface Client {
  client_id: string;
  client_name: string;
  type: ClientType;
  token_endpoint_auth_method: AuthMethod;
  redirect_uris?: string[] | null;
  launch_uri?: string;
  /** The scopes this client may be granted, space-separated. */
  scope: string;
  jwks?: unknown;
  jwks_uri?: string;
  /** Seconds; absent means the server default. */
  access_token_lifetime?: number;
  refresh_token_lifetime?: number;
  no_refresh_rotation?: boolean;
  any_secret_method?: boolean;
  /** Sandbox options: the fhirUser signed in without the login page, the patient chosen without the picker. */
  valet_user?: string;
  valet_patient?: string;
  valet_auto_approve?: boolean;
  created_at: string;
  grant_types: string[];
  /** Only in the answer to the POST (or a PUT that made the client symmetric): shown once. */
  client_secret?: string;
}

/** Body of POST /api/clients and PUT /api/clients/{id} (RFC 7591 metadata plus Valet's sandbox options). */
export interface ClientInput {
  client_id?: string;
  client_name: string;
  type: ClientType;
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  redirect_uris: string[];
  launch_uri: string;
  /** "" lets the server apply its default for the client type. */
  scope: string;
  jwks?: unknown;
  jwks_uri?: string;
  access_token_lifetime: number;
  refresh_token_lifetime: number;
  no_refresh_rotation: boolean;
  any_secret_method: boolean;
  valet_user: string;
  valet_patient: string;
  valet_auto_approve: boolean;
}

export async function listClients(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Client[]> {
  return (await getJSON<Client[] | null>('/api/clients', fetchFn, signal)) ?? [];
}

/** POST /api/clients — 400 (invalid metadata) throws an ApiError whose serverMessage says which field. */
export async function createClient(input: ClientInput, fetchFn: Fetch = fetch): Promise<Client> {
  return (await request('POST', '/api/clients', fetchFn, { body: input })).body as Client;
}

export async function updateClient(id: string, input: ClientInput, fetchFn: Fetch = fetch): Promise<Client> {
  return (await request('PUT', `/api/clients/${encodeURIComponent(id)}`, fetchFn, { body: input })).body as Client;
}

/** DELETE /api/clients/{id} — the server also revokes the app's tokens. Answers 204 without a body. */
export async function deleteClient(id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', `/api/clients/${encodeURIComponent(id)}`, fetchFn, { noBody: true });
}

// ---- EHR launches — server/auth/launches.go ----

/** Body of POST /api/launches; empty strings and undefined are left out of the request. */
export interface LaunchInput {
  client_id: string;
  patient?: string;
  encounter?: string;
  /** Practitioner/{id} or Patient/{id}: signed in without the login page. */
  user?: string;
  /** Overrides the app's registered launch URL for this launch. */
  launch_uri?: string;
  intent?: string;
  /** SMART 2.2: an array of objects with reference, canonical or identifier. */
  fhir_context?: unknown[];
  need_patient_banner?: boolean;
  smart_style_url?: string;
  auto_approve?: boolean;
}

/** The created launch: the app is opened at `url` (its launch URL with iss and launch). */
export interface Launch {
  launch: string;
  iss: string;
  url: string;
}

export async function createLaunch(input: LaunchInput, fetchFn: Fetch = fetch): Promise<Launch> {
  return (await request('POST', '/api/launches', fetchFn, { body: input })).body as Launch;
}

// ---- SMART discovery (the FHIR server's, same origin) ----

/** The parts of /fhir/.well-known/smart-configuration the Launch view shows. */
export interface SmartConfiguration {
  issuer?: string;
  authorization_endpoint: string;
  token_endpoint: string;
  scopes_supported?: string[];
  capabilities?: string[];
}

export function getSmartConfiguration(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SmartConfiguration> {
  return getJSON<SmartConfiguration>('/fhir/.well-known/smart-configuration', fetchFn, signal);
}

// ---- Flow events — server/events, server/control/events.go ----

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

const withQuery = (path: string, params: URLSearchParams) => (params.toString() ? `${path}?${params}` : path);

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

// ---- Signing keys — server/keys (keys.Info), server/control/keys.go ----

/** A published signing key. The active key of each algorithm signs now; retired ones stay until publish_until. */
export interface SigningKey {
  kid: string;
  /** RS256 signs id_tokens, ES256 access tokens. */
  alg: string;
  active: boolean;
  /** Only on retired keys: when they leave the JWKS (the last token they signed has expired by then). */
  publish_until?: string;
}

export async function listKeys(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SigningKey[]> {
  return (await getJSON<SigningKey[] | null>('/api/keys', fetchFn, signal)) ?? [];
}

/** POST /api/keys/rotate — a new key per algorithm; answers the new list. */
export async function rotateKeys(fetchFn: Fetch = fetch): Promise<SigningKey[]> {
  return ((await request('POST', '/api/keys/rotate', fetchFn)).body as SigningKey[] | null) ?? [];
}

// ---- User passwords — server/control/users.go ----

export type UserType = 'Practitioner' | 'Patient';

const passwordPath = (type: UserType, id: string) => `/api/users/${type}/${encodeURIComponent(id)}/password`;

/** PUT …/password — 204; a 400 (too short) or 404 (no such user) throws with the server's message. */
export async function setUserPassword(type: UserType, id: string, password: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('PUT', passwordPath(type, id), fetchFn, { body: { password }, noBody: true });
}

/** DELETE …/password — 204; a 404 means the user had no password (or does not exist). */
export async function deleteUserPassword(type: UserType, id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', passwordPath(type, id), fetchFn, { noBody: true });
}
