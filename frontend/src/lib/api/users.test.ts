import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { deleteUserPassword, setUserPassword } from './users';

describe('setUserPassword and deleteUserPassword', () => {
  it('sets and removes a password at /api/users/{type}/{id}/password (204, no body)', async () => {
    const r = fakeFetch(() => new Response(null, { status: 204 }));
    await setUserPassword('Practitioner', 'dr-1', 'secret', r.fn);
    await deleteUserPassword('Patient', 'p1', r.fn);
    expect(decoded(r.calls)).toEqual([
      { url: '/api/users/Practitioner/dr-1/password', method: 'PUT', body: { password: 'secret' } },
      { url: '/api/users/Patient/p1/password', method: 'DELETE', body: undefined },
    ]);
  });

  it('carries the server’s message when a password is refused', async () => {
    const r = fakeFetch(() => Response.json({ error: 'invalid input\npassword must have at least 4 characters' }, { status: 400 }));
    await expect(setUserPassword('Practitioner', 'dr-1', 'abc', r.fn)).rejects.toMatchObject({ status: 400, serverMessage: 'invalid input\npassword must have at least 4 characters' });
  });
});
