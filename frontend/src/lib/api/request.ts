// The one place that talks HTTP to the Go server: `request` sends a call and decodes the answer, and
// a refusal becomes an ApiError; `defaultEventSource` opens the server-sent event streams. The area
// modules beside it (status, jobs, patients, …) are built on these; nothing else is (see index.ts).
import { isApiField, type ApiField } from './fields';

/** A failed control-API call, with the HTTP status when the server answered at all. */
export class ApiError extends Error {
  readonly status: number | undefined;
  /** The `error` member of the server's JSON error body, when it sent one: a message meant for users. */
  readonly serverMessage: string | undefined;
  /** The request member the refusal is about (`field` of the body, by its JSON name), when the server
   *  named one the panel knows; undefined when the refusal is about the request as a whole. */
  readonly field: ApiField | undefined;

  constructor(message: string, status?: number, serverMessage?: string, field?: ApiField) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.serverMessage = serverMessage;
    this.field = field;
  }
}

/** The server's message without the control API's "invalid input" line and the OAuth error code. */
export function cleanServerMessage(message: string): string {
  const rest = message
    .split('\n')
    .filter((l) => l.trim() && l.trim() !== 'invalid input' && l.trim() !== 'invalid launch')
    .join(' ');
  return rest.replace(/^[a-z_]+: /, '');
}

export type Fetch = typeof fetch;

/**
 * The CSRF token of a shared sandbox's session (server/admin): the value of its `valet_csrf` cookie
 * (`__Host-valet_csrf` over https), which state changes send back in X-CSRF-Token. Undefined in local
 * mode, which has no session. Readable by this page's script and by no other origin's.
 */
export function csrfToken(cookies: string = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'valet_csrf' || name === '__Host-valet_csrf') return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Sends the browser to the sign-in page when a shared sandbox's session has ended (401 from /api). */
function toSignIn() {
  if (typeof window !== 'undefined' && window.location.pathname !== '/signin') window.location.assign('/signin');
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Sends one request and decodes the JSON answer. Statuses in `accept` are returned to the caller
 * (202 and 409 both carry a job); any other non-2xx status becomes an ApiError.
 */
export async function request(
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
  // A shared sandbox wants its session's CSRF token on every state change (docs/control-api.md).
  const csrf = method === 'GET' || method === 'HEAD' ? undefined : csrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
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
  // A shared sandbox's session ended (expired, signed out in another tab, a new admin password).
  if (res.status === 401 && /realm="valet"/.test(res.headers.get('WWW-Authenticate') ?? '')) toSignIn();
  if (!res.ok && !opts.accept?.includes(res.status)) {
    const text = (await res.text().catch(() => '')).trim();
    const { error: serverMessage, field } = errorBody(text);
    const detail = (serverMessage ?? text).slice(0, 200);
    throw new ApiError(`${path} answered ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`, res.status, serverMessage, field);
  }
  if (opts.noBody || res.status === 204) return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: await res.json() };
  } catch {
    throw new ApiError(`${path} did not return valid JSON.`, res.status);
  }
}

/** The members of a control-API error body ({"error": "...", "field": "..."}); none for any other body. */
function errorBody(text: string): { error?: string; field?: ApiField } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {}; // not JSON: the caller shows the raw text
  }
  if (!v || typeof v !== 'object' || typeof (v as { error?: unknown }).error !== 'string') return {};
  const { error, field } = v as { error: string; field?: unknown };
  return { error, field: isApiField(field) ? field : undefined };
}

/** GET a path and return its decoded JSON body. */
export async function getJSON<T>(path: string, fetchFn: Fetch, signal?: AbortSignal): Promise<T> {
  return (await request('GET', path, fetchFn, { signal })).body as T;
}

/** The path with its query, leaving out an empty `?`. */
export const withQuery = (path: string, params: URLSearchParams) => (params.toString() ? `${path}?${params}` : path);

/** The part of EventSource that followJob and the flow feed use, so tests can hand in a fake. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

/** The browser's EventSource, or null where there is none (tests, old webviews). */
export function defaultEventSource(): ((url: string) => EventSourceLike) | null {
  return typeof EventSource === 'function' ? (url) => new EventSource(url) : null;
}
