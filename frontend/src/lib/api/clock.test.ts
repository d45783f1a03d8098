import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { forgetConsent, getClock, listConsents, revokeClient, setClock } from './clock';

describe('the sandbox clock, remembered consents and revocation', () => {
  it('reads and moves the clock, lists and forgets consents, revokes an app', async () => {
    const clock = { offset_seconds: -300, now: '2026-12-08T02:55:00Z' };
    const revoked = { grants: 2, codes: 0, sessions: 0, consents: 1 };
    const r = fakeFetch((c) => Response.json(c.url.startsWith('/api/clock') ? clock : c.method === 'GET' ? [] : revoked));
    expect(await getClock(undefined, r.fn)).toEqual(clock);
    expect(await setClock(-300, r.fn)).toEqual(clock);
    expect(await listConsents(undefined, r.fn)).toEqual([]);
    expect(await forgetConsent('my app', 'Practitioner/dr1', r.fn)).toEqual(revoked);
    expect(await revokeClient('my app', r.fn)).toEqual(revoked);
    expect(decoded(r.calls)).toEqual([
      { url: '/api/clock', method: 'GET', body: undefined },
      { url: '/api/clock', method: 'PUT', body: { offset_seconds: -300 } },
      { url: '/api/consents', method: 'GET', body: undefined },
      { url: '/api/consents?client_id=my+app&user=Practitioner%2Fdr1', method: 'DELETE', body: undefined },
      { url: '/api/clients/my%20app/revoke', method: 'POST', body: undefined },
    ]);
  });
});
