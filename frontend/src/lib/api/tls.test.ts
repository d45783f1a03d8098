import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { getTLS, setTLS, type TLSState } from './tls';

const on: TLSState = {
  serving: false,
  next_start: true,
  ca: { name: 'Valet local CA me@box 1a2b3c4d', path: '/home/me/.local/share/valet/tls/ca.pem', sha256: 'AB:CD', not_after: '2036-12-08T10:00:00Z' },
};

describe('getTLS and setTLS', () => {
  it('reads /api/tls and PUTs only next_start', async () => {
    const r = fakeFetch((c) => Response.json(c.method === 'PUT' ? on : { serving: false, next_start: false }));
    expect(await getTLS(undefined, r.fn)).toEqual({ serving: false, next_start: false });
    expect(await setTLS(true, r.fn)).toEqual(on);
    expect(decoded(r.calls)).toEqual([
      { url: '/api/tls', method: 'GET', body: undefined },
      { url: '/api/tls', method: 'PUT', body: { next_start: true } },
    ]);
  });
});
