// Signing keys — server/keys (keys.Info), server/control/keys.go
import { getJSON, request, type Fetch } from './request';

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
