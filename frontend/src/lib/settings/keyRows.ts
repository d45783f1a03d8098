// The Settings view's signing keys: what each published key is for, whether it signs now, and until
// when a retired one stays in the JWKS (server/keys: retired keys stay as long as a token they signed
// may live, so apps that cached the JWKS keep verifying).
import type { SigningKey } from '../api';

/** What Valet signs with each algorithm (docs/auth.md). */
export const KEY_USE: Record<string, string> = {
  RS256: 'id_tokens',
  ES256: 'access tokens',
};

export type KeyState = 'signing' | 'retired';

export interface KeyRow {
  kid: string;
  alg: string;
  use: string;
  state: KeyState;
  /** For retired keys: "until 01:10 UTC · in 59 min" (or "leaving the JWKS now" once passed). */
  until: string;
  /** True for a key that a rotation in this page added. */
  fresh: boolean;
}

/** "in 59 min", "in 2 h 5 min", "in 3 days": how long until `t` (ms) from now (ms), coarsely. */
export function timeUntil(t: number, now: number): string {
  const min = Math.round((t - now) / 60_000);
  if (min <= 0) return 'now';
  if (min < 60) return `in ${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `in ${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `in ${Math.round(h / 24)} days`;
}

/** "2026-11-27 01:10 UTC". UTC because the sandbox clock and the tokens' exp claims are UTC too. */
export function utcMinute(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Rows for the key table: signing keys first (by algorithm), then retired ones, most recently retired first. */
export function keyRows(keys: readonly SigningKey[], now: number, fresh: ReadonlySet<string> = new Set()): KeyRow[] {
  const leaves = (k: SigningKey) => (k.publish_until ? Date.parse(k.publish_until) : NaN);
  const order = (k: SigningKey) => (k.active ? Infinity : leaves(k) || 0);
  return [...keys]
    .sort((a, b) => order(b) - order(a) || a.alg.localeCompare(b.alg) || a.kid.localeCompare(b.kid))
    .map((k) => ({
      kid: k.kid,
      alg: k.alg,
      use: KEY_USE[k.alg] ?? 'tokens',
      state: k.active ? 'signing' : 'retired',
      until: k.active ? '' : retiredUntil(k, leaves(k), now),
      fresh: fresh.has(k.kid),
    }));
}

function retiredUntil(k: SigningKey, leaves: number, now: number): string {
  if (Number.isNaN(leaves)) return 'published until its tokens expire';
  if (leaves <= now) return 'leaving the JWKS now';
  return `published until ${utcMinute(k.publish_until!)} · ${timeUntil(leaves, now)}`;
}

/** The kids in `after` that `before` did not have: what a rotation added. */
export function newKids(before: readonly SigningKey[], after: readonly SigningKey[]): Set<string> {
  const had = new Set(before.map((k) => k.kid));
  return new Set(after.filter((k) => !had.has(k.kid)).map((k) => k.kid));
}
