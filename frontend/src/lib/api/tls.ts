// HTTPS with the local CA — server/control/tls.go, server/wire (TLS, TLSCA)
import { getJSON, request, type Fetch } from './request';

/** The local CA that `valet serve --tls` issues certificates from, as `valet ca` shows it. */
export interface LocalCA {
  name: string;
  /** The certificate file to trust. */
  path: string;
  /** SHA-256 of the certificate, colon hex: what a browser shows for the issuer. */
  sha256: string;
  /** RFC 3339. */
  not_after: string;
}

/** GET /api/tls. */
export interface TLSState {
  /** This run serves https with the local CA. */
  serving: boolean;
  /** The stored switch: https from the next start (a --tls flag on the command line overrides it). */
  next_start: boolean;
  /** Absent until the CA is made. */
  ca?: LocalCA;
}

export function getTLS(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<TLSState> {
  return getJSON<TLSState>('/api/tls', fetchFn, signal);
}

/** PUT /api/tls — stores the switch for the next start (turning it on makes the CA at once); answers as GET. */
export async function setTLS(nextStart: boolean, fetchFn: Fetch = fetch): Promise<TLSState> {
  return (await request('PUT', '/api/tls', fetchFn, { body: { next_start: nextStart } })).body as TLSState;
}
