import { describe, expect, it } from 'vitest';
import type { SigningKey } from '../api';
import { keyRows, newKids, timeUntil, utcMinute } from './keyRows';

const now = Date.parse('2026-11-27T00:10:00Z');
const before: SigningKey[] = [
  { kid: 'es-1', alg: 'ES256', active: true },
  { kid: 'rs-1', alg: 'RS256', active: true },
  { kid: 'rs-0', alg: 'RS256', active: false, publish_until: '2026-11-27T00:20:00Z' },
];
const after: SigningKey[] = [
  { kid: 'es-2', alg: 'ES256', active: true },
  { kid: 'rs-2', alg: 'RS256', active: true },
  { kid: 'es-1', alg: 'ES256', active: false, publish_until: '2026-11-27T01:10:38Z' },
  { kid: 'rs-1', alg: 'RS256', active: false, publish_until: '2026-11-27T01:10:38Z' },
  { kid: 'rs-0', alg: 'RS256', active: false, publish_until: '2026-11-27T00:20:00Z' },
];

describe('keyRows', () => {
  it('lists the signing keys first, then retired keys with when they leave the JWKS', () => {
    const rows = keyRows([...after].reverse(), now, newKids(before, after));
    expect(rows.map((r) => [r.kid, r.state, r.use, r.fresh])).toEqual([
      ['es-2', 'signing', 'access tokens', true],
      ['rs-2', 'signing', 'id_tokens', true],
      ['es-1', 'retired', 'access tokens', false],
      ['rs-1', 'retired', 'id_tokens', false],
      ['rs-0', 'retired', 'id_tokens', false],
    ]);
    expect(rows[0].until).toBe('');
    expect(rows[2].until).toBe('published until 2026-11-27 01:10 UTC · in 1 h 1 min');
    expect(rows[4].until).toBe('published until 2026-11-27 00:20 UTC · in 10 min');
  });

  it('says when a retired key is past its time or has none', () => {
    const rows = keyRows([{ kid: 'a', alg: 'ES256', active: false, publish_until: '2026-11-27T00:00:00Z' }, { kid: 'b', alg: 'XX', active: false }], now);
    expect(rows.map((r) => [r.kid, r.until, r.use])).toEqual([
      ['a', 'leaving the JWKS now', 'access tokens'],
      ['b', 'published until its tokens expire', 'tokens'],
    ]);
  });
});

describe('newKids', () => {
  it('finds what a rotation added', () => {
    expect([...newKids(before, after)]).toEqual(['es-2', 'rs-2']);
    expect(newKids(after, after).size).toBe(0);
  });
});

describe('timeUntil and utcMinute', () => {
  it('rounds coarsely', () => {
    expect(timeUntil(now - 1, now)).toBe('now');
    expect(timeUntil(now + 59 * 60_000, now)).toBe('in 59 min');
    expect(timeUntil(now + 120 * 60_000, now)).toBe('in 2 h');
    expect(timeUntil(now + 72 * 3600_000, now)).toBe('in 3 days');
  });

  it('prints UTC to the minute, and leaves what it cannot read', () => {
    expect(utcMinute('2026-11-27T01:10:38.947517Z')).toBe('2026-11-27 01:10 UTC');
    expect(utcMinute('later')).toBe('later');
  });
});
