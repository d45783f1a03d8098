import { describe, expect, it } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { createClient, type ClientInput } from './clients';
import { ApiError, cleanServerMessage, csrfToken } from './request';
import { getStatus, type Status } from './status';

const sample: Status = {
  version: '0.1.0',
  started_at: '2026-11-26T23:00:00Z',
  uptime_seconds: 12.5,
  base_url: 'http://127.0.0.1:8765',
  control_panel_url: 'http://127.0.0.1:8765/',
  fhir_base_url: 'http://127.0.0.1:8765/fhir',
  smart_configuration_url: 'http://127.0.0.1:8765/fhir/.well-known/smart-configuration',
  data_file: '/root/.local/share/valet/valet.db',
  database_bytes: 4_218_880,
  events: 37,
  resource_counts: { Patient: 25, Observation: 900 },
  resource_total: 925,
  shared: false,
  clock_offset_seconds: 0,
};

// The request core, through the simplest call on it.
describe('getStatus', () => {
  it('requests /api/status on the same origin and returns the decoded body', async () => {
    let asked = '';
    const status = await getStatus(
      undefined,
      fakeFetch((c) => {
        asked = c.url;
        return Response.json(sample);
      }).fn,
    );
    expect(asked).toBe('/api/status');
    expect(status).toEqual(sample);
  });

  it('turns an HTTP error into an ApiError carrying status and body', async () => {
    const call = getStatus(undefined, fakeFetch(() => new Response('database locked', { status: 500, statusText: 'Internal Server Error' })).fn);
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({ status: 500, message: '/api/status answered 500 Internal Server Error: database locked' });
  });

  it('turns a network failure into an ApiError without a status', async () => {
    const call = getStatus(undefined, fakeFetch(() => Promise.reject(new TypeError('Failed to fetch'))).fn);
    await expect(call).rejects.toMatchObject({ name: 'ApiError', status: undefined });
  });

  it('rejects a body that is not JSON', async () => {
    const call = getStatus(undefined, fakeFetch(() => new Response('<html>', { status: 200 })).fn);
    await expect(call).rejects.toThrow('/api/status did not return valid JSON.');
  });
});

describe('refusals', () => {
  const input: ClientInput = {
    client_name: 'x',
    type: 'public',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    redirect_uris: ['nope'],
    launch_uri: '',
    scope: '',
    access_token_lifetime: 0,
    refresh_token_lifetime: 0,
    no_refresh_rotation: false,
    any_secret_method: false,
    valet_http_redirects: false,
    valet_user: '',
    valet_patient: '',
    valet_auto_approve: false,
  };
  const refuse = (body: unknown) => createClient(input, fakeFetch(() => Response.json(body, { status: 400, statusText: 'Bad Request' })).fn);

  it('carries the member the server names in field', async () => {
    const call = refuse({ error: 'invalid input\ninvalid_redirect_uri: redirect_uri "nope" is not an absolute URL', field: 'redirect_uris' });
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({ status: 400, field: 'redirect_uris', serverMessage: 'invalid input\ninvalid_redirect_uri: redirect_uri "nope" is not an absolute URL' });
  });

  it('has no field when the server names none, or a member the panel does not know', async () => {
    for (const body of [{ error: 'invalid input\nno' }, { error: 'no', field: '' }, { error: 'no', field: 'colour' }, { error: 'no', field: 7 }]) {
      const err = await refuse(body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).field).toBeUndefined();
      expect((err as ApiError).serverMessage).toBe(body.error);
    }
  });

  it('strips the control API prefix and the OAuth error code', () => {
    expect(cleanServerMessage('invalid input\ninvalid_redirect_uri: redirect_uri "nope" is not an absolute URL')).toBe('redirect_uri "nope" is not an absolute URL');
    expect(cleanServerMessage('invalid input\ninvalid launch\nunknown client_id "x"')).toBe('unknown client_id "x"');
  });
});

// A shared sandbox's CSRF token (server/admin) rides on state changes, never on reads.
describe('csrfToken', () => {
  it('reads the plain and the __Host- cookie, and nothing else', () => {
    expect(csrfToken('a=1; valet_csrf=tok%2Fen; b=2')).toBe('tok/en');
    expect(csrfToken('__Host-valet_csrf=abc')).toBe('abc');
    expect(csrfToken('valet_csrf_other=x; xvalet_csrf=y')).toBeUndefined();
    expect(csrfToken('')).toBeUndefined();
  });
});
