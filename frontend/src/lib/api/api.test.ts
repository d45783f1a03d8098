import { describe, expect, it } from 'vitest';
import { ApiError, deleteUserPassword, getStatus, listEncounters, listPractitioners, rotateKeys, setUserPassword, type Status } from '.';

const sample: Status = {
  version: '0.1.0',
  started_at: '2026-11-26T23:00:00Z',
  uptime_seconds: 12.5,
  base_url: 'http://127.0.0.1:8765',
  control_panel_url: 'http://127.0.0.1:8765/',
  fhir_base_url: 'http://127.0.0.1:8765/fhir',
  smart_configuration_url: 'http://127.0.0.1:8765/fhir/.well-known/smart-configuration',
  data_file: '/root/.local/share/valet/valet.db',
  resource_counts: { Patient: 25, Observation: 900 },
  resource_total: 925,
};

function fakeFetch(respond: (url: string) => Response | Promise<Response>): typeof fetch {
  return (async (input: RequestInfo | URL) => respond(String(input))) as typeof fetch;
}

describe('getStatus', () => {
  it('requests /api/status on the same origin and returns the decoded body', async () => {
    let asked = '';
    const status = await getStatus(undefined, fakeFetch((url) => {
      asked = url;
      return Response.json(sample);
    }));
    expect(asked).toBe('/api/status');
    expect(status).toEqual(sample);
  });

  it('turns an HTTP error into an ApiError carrying status and body', async () => {
    const call = getStatus(undefined, fakeFetch(() => new Response('database locked', { status: 500, statusText: 'Internal Server Error' })));
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({ status: 500, message: '/api/status answered 500 Internal Server Error: database locked' });
  });

  it('turns a network failure into an ApiError without a status', async () => {
    const call = getStatus(undefined, fakeFetch(() => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(call).rejects.toMatchObject({ name: 'ApiError', status: undefined });
  });

  it('rejects a body that is not JSON', async () => {
    const call = getStatus(undefined, fakeFetch(() => new Response('<html>', { status: 200 })));
    await expect(call).rejects.toThrow('/api/status did not return valid JSON.');
  });
});

describe('people, keys and passwords', () => {
  function recorder(answer: () => Response) {
    const calls: { url: string; method: string; body: unknown }[] = [];
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return answer();
    }) as typeof fetch;
    return { calls, fetchFn };
  }

  it('searches practitioners and lists a patient’s encounters', async () => {
    const r = recorder(() => Response.json({ total: 0, practitioners: null, encounters: null }));
    await listPractitioners({ q: ' 1255554929 ', count: 20, offset: 0 }, undefined, r.fetchFn);
    expect(await listEncounters('p/1', 50, undefined, r.fetchFn)).toEqual([]);
    expect(r.calls.map((c) => c.url)).toEqual(['/api/practitioners?count=20&offset=0&q=1255554929', '/api/patients/p%2F1/encounters?count=50']);
  });

  it('sets and removes a password at /api/users/{type}/{id}/password (204, no body)', async () => {
    const r = recorder(() => new Response(null, { status: 204 }));
    await setUserPassword('Practitioner', 'dr-1', 'secret', r.fetchFn);
    await deleteUserPassword('Patient', 'p1', r.fetchFn);
    expect(r.calls).toEqual([
      { url: '/api/users/Practitioner/dr-1/password', method: 'PUT', body: { password: 'secret' } },
      { url: '/api/users/Patient/p1/password', method: 'DELETE', body: undefined },
    ]);
  });

  it('carries the server’s message when a password is refused', async () => {
    const r = recorder(() => Response.json({ error: 'invalid input\npassword must have at least 4 characters' }, { status: 400 }));
    await expect(setUserPassword('Practitioner', 'dr-1', 'abc', r.fetchFn)).rejects.toMatchObject({ status: 400, serverMessage: 'invalid input\npassword must have at least 4 characters' });
  });

  it('rotates keys with a POST and returns the new list', async () => {
    const keys = [{ kid: 'k2', alg: 'ES256', active: true }];
    const r = recorder(() => Response.json(keys));
    expect(await rotateKeys(r.fetchFn)).toEqual(keys);
    expect(r.calls[0]).toMatchObject({ url: '/api/keys/rotate', method: 'POST' });
  });
});
