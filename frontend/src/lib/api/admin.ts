// A shared sandbox's sign-out, API keys and registration tokens — server/admin, server/control/credentials.go.
// The endpoints exist only in shared mode (Status.shared).
import { getJSON, request, type Fetch } from './request';

/** An API key (for /api) or an initial access token (for /auth/register, RFC 7591 §3). */
export interface Credential {
  id: string;
  name: string;
  created_at: string;
  last_used_at?: string;
  /** Only in the answer that creates it: Valet keeps a hash. */
  secret?: string;
}

export type CredentialKind = 'api-keys' | 'registration-tokens';

export async function listCredentials(kind: CredentialKind, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Credential[]> {
  return (await getJSON<Credential[] | null>(`/api/admin/${kind}`, fetchFn, signal)) ?? [];
}

/** POST — 201 with the secret, shown once; a 400 (no name) throws with field "name". */
export async function createCredential(kind: CredentialKind, name: string, fetchFn: Fetch = fetch): Promise<Credential> {
  return (await request('POST', `/api/admin/${kind}`, fetchFn, { body: { name } })).body as Credential;
}

/** DELETE — 204; the credential is refused from then on. */
export async function revokeCredential(kind: CredentialKind, id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', `/api/admin/${kind}/${encodeURIComponent(id)}`, fetchFn, { noBody: true });
}

/** POST /signout with the CSRF token; the server ends the session and the caller goes to /signin. */
export async function signOut(fetchFn: Fetch = fetch): Promise<void> {
  await request('POST', '/signout', fetchFn, { noBody: true, accept: [200, 303] });
}
