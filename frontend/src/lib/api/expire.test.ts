import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { endUserSession, expireNow, listSessions, revokeUser } from './expire';
import { ApiError } from './request';

describe('expire-now, user revocation and sessions', () => {
  it('sends one credential to expire and the user actions to their paths', async () => {
    const revoked = { grants: 1, codes: 0, sessions: 2, consents: 0 };
    const expired = { expired: 'access_token', at: '2026-12-08T03:00:00Z' };
    const r = fakeFetch((c) => Response.json(c.url === '/api/expire' ? expired : c.method === 'GET' ? [] : revoked));
    expect(await expireNow({ jti: 'j1' }, r.fn)).toEqual(expired);
    expect(await revokeUser('Practitioner', 'dr 1', r.fn)).toEqual(revoked);
    expect(await endUserSession('Patient', 'p1', r.fn)).toEqual(revoked);
    expect(await listSessions(undefined, r.fn)).toEqual([]);
    expect(decoded(r.calls)).toEqual([
      { url: '/api/expire', method: 'POST', body: { jti: 'j1' } },
      { url: '/api/users/Practitioner/dr%201/revoke', method: 'POST', body: undefined },
      { url: '/api/users/Patient/p1/end-session', method: 'POST', body: undefined },
      { url: '/api/sessions', method: 'GET', body: undefined },
    ]);
  });

  it('throws the server message when nothing live has that name', async () => {
    const r = fakeFetch(() => Response.json({ error: 'the code of flow f1 is unknown, or no longer live' }, { status: 404 }));
    await expect(expireNow({ flow: 'f1' }, r.fn)).rejects.toBeInstanceOf(ApiError);
  });
});
