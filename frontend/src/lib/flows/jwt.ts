// Decoding (never verifying) JWTs for the flow inspector. The server redacts each token's signature
// before it stores the event (server/events/redact.go), so the panel can show header and claims of a
// token that can no longer be presented; verification belongs to the app under test, not to this view.

export type SignatureState = 'present' | 'redacted' | 'none';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: SignatureState;
}

export type JwtResult = { ok: true; jwt: DecodedJwt } | { ok: false; error: string };

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** base64url (RFC 4648 §5, padding optional) → UTF-8 text; throws on characters outside the alphabet. */
export function base64UrlDecode(segment: string): string {
  if (!SEGMENT.test(segment)) throw new Error('not base64url');
  if (segment.length % 4 === 1) throw new Error('not base64url (bad length)');
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4);
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function jsonObject(segment: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = base64UrlDecode(segment);
  } catch {
    throw new Error(`the ${what} is not base64url-encoded UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} is not JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Decodes a compact JWS (header.claims.signature). The signature is reported, not checked. */
export function decodeJwt(token: string): JwtResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { ok: false, error: `a JWT has 3 dot-separated parts, this has ${parts.length}` };
  try {
    const header = jsonObject(parts[0], 'header');
    const claims = jsonObject(parts[1], 'claims');
    const signature: SignatureState = parts[2] === '' ? 'none' : parts[2] === 'REDACTED' ? 'redacted' : 'present';
    return { ok: true, jwt: { header, claims, signature } };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** True when a string has the shape of a compact JWS whose header decodes (so it is worth showing decoded). */
export function looksLikeJwt(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 10) return false;
  const parts = value.split('.');
  if (parts.length !== 3 || !parts[0].startsWith('eyJ')) return false;
  return decodeJwt(value).ok;
}

/** NumericDate claims (RFC 7519 §2: seconds since the epoch) the panel shows as times. */
export const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;

/** A NumericDate as an ISO-like UTC time, or undefined when the value is not a finite number. */
export function numericDate(value: unknown): Date | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const d = new Date(value * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** "2026-11-26 23:50:48 UTC" — UTC, because token times are the sandbox clock's and compared across machines. */
export function formatNumericDate(value: unknown): string | undefined {
  const d = numericDate(value);
  if (!d) return undefined;
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** How exp relates to iat: "valid for 1 h" or "valid for 5 min", from the token itself (no clock needed). */
export function lifetime(claims: Record<string, unknown>): string | undefined {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number' || exp < iat) return undefined;
  const s = exp - iat;
  if (s % 3600 === 0) return `valid for ${s / 3600} h`;
  if (s % 60 === 0) return `valid for ${s / 60} min`;
  return `valid for ${s} s`;
}

/** A decoded JWT and where it was found (request.client_assertion, response.access_token, …). */
export interface StepTokenLike {
  field: string;
  jwt: DecodedJwt;
}
