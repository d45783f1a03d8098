// The sandbox clock — server/control/clock.go, server/wire (Clock)
import { getJSON, request, type Fetch } from './request';

/** GET /api/clock: how far the sandbox clock is moved, and the time it reads. */
export interface SandboxClock {
  /** Seconds ahead of the computer's clock (negative: behind). */
  offset_seconds: number;
  /** RFC 3339: the sandbox's time. */
  now: string;
}

export function getClock(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SandboxClock> {
  return getJSON<SandboxClock>('/api/clock', fetchFn, signal);
}

/** PUT /api/clock — moves the sandbox clock (0 puts it back); answers as GET. */
export async function setClock(offsetSeconds: number, fetchFn: Fetch = fetch): Promise<SandboxClock> {
  return (await request('PUT', '/api/clock', fetchFn, { body: { offset_seconds: offsetSeconds } })).body as SandboxClock;
}

/** A user's remembered consent decision for an app (GET /api/consents). */
export interface RememberedConsent {
  client_id: string;
  /** Practitioner/{id} or Patient/{id}. */
  user: string;
  /** The scopes approved, as granted. */
  scope: string;
  created_at: string;
}

/** What a revocation ended (POST …/revoke, DELETE /api/consents). */
export interface Revoked {
  grants: number;
  codes: number;
  sessions: number;
  consents: number;
}

export function listConsents(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<RememberedConsent[]> {
  return getJSON<RememberedConsent[]>('/api/consents', fetchFn, signal);
}

/** DELETE /api/consents — forgets one decision and revokes the grants that user gave that app. */
export async function forgetConsent(clientId: string, user: string, fetchFn: Fetch = fetch): Promise<Revoked> {
  const q = new URLSearchParams({ client_id: clientId, user });
  return (await request('DELETE', `/api/consents?${q}`, fetchFn)).body as Revoked;
}

/** POST /api/clients/{id}/revoke — ends every grant, token, pending code and remembered consent of the app. */
export async function revokeClient(id: string, fetchFn: Fetch = fetch): Promise<Revoked> {
  return (await request('POST', `/api/clients/${encodeURIComponent(id)}/revoke`, fetchFn)).body as Revoked;
}
