// Expire-now, per-user revocation and sign-in sessions — server/control (POST /api/expire,
// /api/users/{type}/{id}/revoke and /end-session, GET /api/sessions); docs/control-api.md § Time.
import { getJSON, request, type Fetch } from './request';
import type { Revoked } from './clock';
import type { UserType } from './users';

/** Exactly one credential to expire: the server answers 400 for none or several. */
export type ExpireTarget =
  | { jti: string }
  | { grant: string }
  | { flow: string }
  | { launch: string }
  | { code: string }
  | { session: string };

/** What POST /api/expire ended, and the sandbox time it ended at. */
export interface Expired {
  expired: 'access_token' | 'refresh_token' | 'code' | 'launch' | 'session';
  at: string;
}

/** POST /api/expire — a 404 (nothing live by that name) throws with the server's message. */
export async function expireNow(target: ExpireTarget, fetchFn: Fetch = fetch): Promise<Expired> {
  return (await request('POST', '/api/expire', fetchFn, { body: target })).body as Expired;
}

const userPath = (type: UserType, id: string, action: string) => `/api/users/${type}/${encodeURIComponent(id)}/${action}`;

/** POST …/revoke — ends every grant, code, session and remembered consent the user gave. */
export async function revokeUser(type: UserType, id: string, fetchFn: Fetch = fetch): Promise<Revoked> {
  return (await request('POST', userPath(type, id, 'revoke'), fetchFn)).body as Revoked;
}

/** POST …/end-session — signs the user out everywhere; online_access refresh tokens end with it. */
export async function endUserSession(type: UserType, id: string, fetchFn: Fetch = fetch): Promise<Revoked> {
  return (await request('POST', userPath(type, id, 'end-session'), fetchFn)).body as Revoked;
}

/** A live sign-in session (GET /api/sessions); `id` is a hash of the cookie, never the cookie. */
export interface SignInSession {
  id: string;
  /** Practitioner/{id} or Patient/{id}. */
  user: string;
  created_at: string;
  expires_at: string;
}

export function listSessions(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SignInSession[]> {
  return getJSON<SignInSession[]>('/api/sessions', fetchFn, signal);
}
