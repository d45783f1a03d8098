import { describe, expect, it } from 'vitest';
import type { Client } from '../api';
import { clientToFields, emptyAppFields, parseJwks, sandboxOptions, serverFieldError, typeInfo, validateApp, type AppFields } from './appForm';

const jwk = { kty: 'EC', crv: 'P-384', kid: 'k1', x: 'AAAA', y: 'BBBB' };
const fields = (over: Partial<AppFields>): AppFields => ({ ...emptyAppFields(), name: 'My app', redirectUris: 'http://127.0.0.1:9/callback', ...over });

describe('validateApp: request bodies per client type', () => {
  it('public: no secret, no keys, PKCE only', () => {
    const v = validateApp(fields({ launchUri: 'http://127.0.0.1:9/launch', user: 'Practitioner/dr-1', patient: 'p1', autoApprove: true }));
    expect(v).toEqual({
      ok: true,
      input: {
        client_name: 'My app',
        type: 'public',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['http://127.0.0.1:9/callback'],
        launch_uri: 'http://127.0.0.1:9/launch',
        scope: '',
        access_token_lifetime: 0,
        refresh_token_lifetime: 0,
        no_refresh_rotation: false,
        any_secret_method: false,
        valet_user: 'Practitioner/dr-1',
        valet_patient: 'p1',
        valet_auto_approve: true,
        valet_http_redirects: false,
      },
    });
  });

  it('redirect URIs: http only on loopback unless the leniency is ticked; https and custom schemes always', () => {
    for (const ok of ['http://127.0.0.1:9/cb', 'http://localhost:3000/cb', 'http://[::1]:8080/cb', 'https://app.example/cb', 'com.example.app:/cb']) {
      expect(validateApp(fields({ redirectUris: ok })).ok, ok).toBe(true);
    }
    for (const bad of ['http://app.example/cb', 'http://192.168.1.5/cb', 'http://localhost.evil.example/cb', 'javascript:alert(1)']) {
      expect(validateApp(fields({ redirectUris: bad })), bad).toMatchObject({ ok: false, errors: { redirectUris: expect.any(String) } });
    }
    expect(validateApp(fields({ redirectUris: 'http://app.example/cb', httpRedirects: true }))).toMatchObject({ ok: true, input: { valet_http_redirects: true } });
    expect(validateApp(fields({ redirectUris: 'javascript:alert(1)', httpRedirects: true })).ok).toBe(false);
  });

  it('confidential-symmetric: the chosen secret method, and the leniency switch only for it', () => {
    const v = validateApp(fields({ type: 'confidential-symmetric', secretMethod: 'client_secret_post', anySecretMethod: true }));
    expect(v).toMatchObject({ ok: true, input: { type: 'confidential-symmetric', token_endpoint_auth_method: 'client_secret_post', any_secret_method: true } });
    const pub = validateApp(fields({ anySecretMethod: true }));
    expect(pub).toMatchObject({ ok: true, input: { any_secret_method: false } });
  });

  it('confidential-asymmetric: a pasted JWKS goes as JSON, not as text', () => {
    const v = validateApp(fields({ type: 'confidential-asymmetric', jwks: JSON.stringify({ keys: [jwk] }) }));
    expect(v).toMatchObject({ ok: true, input: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } } });
    expect(v.ok && 'jwks_uri' in v.input).toBe(false);
  });

  it('confidential-asymmetric with a JWKS URL sends jwks_uri only', () => {
    const v = validateApp(fields({ type: 'confidential-asymmetric', keySource: 'jwks_uri', jwksUri: 'https://app.example/jwks.json', jwks: 'ignored' }));
    expect(v).toMatchObject({ ok: true, input: { jwks_uri: 'https://app.example/jwks.json' } });
    expect(v.ok && 'jwks' in v.input).toBe(false);
  });

  it('backend service: client_credentials, no redirect URIs or sandbox options even if the hidden fields hold some', () => {
    const v = validateApp(fields({ type: 'backend-service', jwks: JSON.stringify({ keys: [jwk] }), scope: ' system/Patient.rs   system/Observation.rs ', user: 'Practitioner/x', autoApprove: true, noRefreshRotation: true }));
    expect(v).toMatchObject({
      ok: true,
      input: { grant_types: ['client_credentials'], redirect_uris: [], launch_uri: '', scope: 'system/Patient.rs system/Observation.rs', valet_user: '', valet_auto_approve: false, no_refresh_rotation: false },
    });
  });

  it('keeps a chosen client_id on registration but not on edit', () => {
    expect(validateApp(fields({ clientId: 'my-app' }))).toMatchObject({ ok: true, input: { client_id: 'my-app' } });
    const edit = validateApp(fields({ clientId: 'my-app' }), true);
    expect(edit.ok && 'client_id' in edit.input).toBe(false);
  });
});

describe('validateApp: errors next to the fields', () => {
  it.each<[Partial<AppFields>, keyof AppFields, RegExp]>([
    [{ name: '  ' }, 'name', /name/],
    [{ redirectUris: '' }, 'redirectUris', /At least one redirect URI/],
    [{ redirectUris: 'https://ok/cb\n/relative' }, 'redirectUris', /“\/relative” is not an absolute URL/],
    [{ redirectUris: 'https://ok/cb#frag' }, 'redirectUris', /fragment/],
    [{ launchUri: 'ftp://x/launch' }, 'launchUri', /http\(s\)/],
    [{ user: 'Organization/1' }, 'user', /Practitioner\/\{id\} or Patient\/\{id\}/],
    [{ accessTokenLifetime: '1.5' }, 'accessTokenLifetime', /whole number/],
    [{ refreshTokenLifetime: -5 }, 'refreshTokenLifetime', /whole number/],
    [{ clientId: 'has space' }, 'clientId', /without spaces/],
    [{ type: 'confidential-asymmetric', jwks: '' }, 'jwks', /Paste the public JWKS/],
    [{ type: 'confidential-asymmetric', jwks: '{"keys": [' }, 'jwks', /^Not JSON/],
    [{ type: 'confidential-asymmetric', keySource: 'jwks_uri', jwksUri: 'jwks.json' }, 'jwksUri', /absolute http\(s\) URL/],
    [{ type: 'backend-service', jwks: JSON.stringify({ keys: [jwk] }), scope: 'system/*.rs patient/*.rs' }, 'scope', /not patient\/\*\.rs/],
    [{ type: 'backend-service', jwks: JSON.stringify({ keys: [jwk] }), accessTokenLifetime: 301 }, 'accessTokenLifetime', /at most 300 s/],
  ])('%j → %s', (over, field, message) => {
    const v = validateApp(fields(over));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors[field]).toMatch(message);
  });

  it('does not ask a backend service for redirect URIs', () => {
    expect(validateApp(fields({ type: 'backend-service', redirectUris: '', jwks: JSON.stringify({ keys: [jwk] }) })).ok).toBe(true);
  });
});

describe('parseJwks', () => {
  it('refuses private keys, keys without kty and empty sets', () => {
    expect(parseJwks(JSON.stringify({ keys: [{ ...jwk, d: 'secret' }] }))).toEqual({ ok: false, error: 'Key 1 (k1) is private (it has "d"): paste the public keys only.' });
    expect(parseJwks(JSON.stringify({ keys: [{ kid: 'x' }] }))).toEqual({ ok: false, error: 'Key 1 has no "kty".' });
    expect(parseJwks('{"keys": []}')).toMatchObject({ ok: false, error: /non-empty "keys" array/ });
    expect(parseJwks('[]')).toMatchObject({ ok: false });
  });
});

describe('server refusals', () => {
  it.each([
    ['invalid input\ninvalid_redirect_uri: redirect_uri "nope" is not an absolute URL', 'redirectUris'],
    ['invalid input\ninvalid_client_metadata: jwks must hold public keys only (key "a" is private)', 'jwks'],
    ['invalid input\ninvalid_client_metadata: jwks_uri must be an absolute http(s) URL', 'jwksUri'],
    ['invalid input\ninvalid_client_metadata: client_id "abc" is taken', 'clientId'],
    ['invalid input\ninvalid_client_metadata: scope: unknown scope "x"', 'scope'],
    ['invalid input\ninvalid_client_metadata: backend services may only hold system/ scopes, not "patient/*.rs"', 'scope'],
    ['invalid input\ninvalid_client_metadata: valet_user must be Practitioner/{id} or Patient/{id}', 'user'],
    ['invalid input\ninvalid_client_metadata: valet_user: Practitioner/gone is not in the FHIR store: pick one', 'user'],
    ['invalid input\ninvalid_client_metadata: valet_patient: Patient/gone is not in the FHIR store: pick one', 'patient'],
    ['invalid input\ninvalid character \'x\' looking for beginning of value', 'general'],
  ])('%s → %s', (message, field) => {
    expect(serverFieldError(message).field).toBe(field);
  });

  it.each([
    ['client_id', 'clientId'],
    ['client_name', 'name'],
    ['redirect_uris', 'redirectUris'],
    ['launch_uri', 'launchUri'],
    ['jwks', 'jwks'],
    ['jwks_uri', 'jwksUri'],
    ['scope', 'scope'],
    ['access_token_lifetime', 'accessTokenLifetime'],
    ['refresh_token_lifetime', 'refreshTokenLifetime'],
    ['any_secret_method', 'anySecretMethod'],
    ['valet_user', 'user'],
    ['valet_patient', 'patient'],
    ['type', 'general'],
    ['token_endpoint_auth_method', 'general'],
    ['valet_app_state_codes', 'general'],
    ['valet_http_redirects', 'redirectUris'],
  ] as const)('field %s → %s', (field, slot) => {
    expect(serverFieldError('invalid input\ninvalid_client_metadata: not right', field)).toEqual({ field: slot, message: 'not right' });
  });

  it('trusts the field over the wording', () => {
    // The text mentions redirect_uri, the server says the launch URL is the problem.
    expect(serverFieldError('invalid input\ninvalid_client_metadata: launch_uri must differ from every redirect_uri', 'launch_uri').field).toBe('launchUri');
    // A member with no input of its own goes under the form, even when the words would match an input.
    expect(serverFieldError('invalid input\ninvalid_client_metadata: backend services (client_credentials) authenticate with private_key_jwt only', 'token_endpoint_auth_method').field).toBe('general');
  });

  it('reads the wording when the field belongs to another request', () => {
    expect(serverFieldError('invalid input\ninvalid_client_metadata: valet_patient: Patient/gone is not in the FHIR store: pick one', 'seed').field).toBe('patient');
  });
});

describe('editing', () => {
  const client: Client = {
    client_id: 'abc',
    client_name: 'Chart',
    type: 'confidential-asymmetric',
    token_endpoint_auth_method: 'private_key_jwt',
    redirect_uris: ['https://a/cb', 'https://b/cb'],
    scope: 'openid patient/*.rs',
    jwks: { keys: [jwk] },
    created_at: '2026-11-26T23:00:00Z',
    grant_types: ['authorization_code', 'refresh_token'],
    valet_auto_approve: true,
  };

  it('round-trips a client through the form to the same metadata', () => {
    const f = clientToFields(client);
    expect(f).toMatchObject({ redirectUris: 'https://a/cb\nhttps://b/cb', keySource: 'jwks', autoApprove: true, accessTokenLifetime: '' });
    expect(validateApp(f, true)).toMatchObject({ ok: true, input: { redirect_uris: client.redirect_uris, jwks: client.jwks, scope: client.scope, valet_auto_approve: true } });
  });

  it('describes sandbox options and types', () => {
    expect(sandboxOptions({ valet_user: 'Practitioner/1', valet_patient: 'p', valet_auto_approve: true })).toEqual(['User Practitioner/1', 'Patient/p', 'Auto-approve']);
    expect(sandboxOptions({})).toEqual([]);
    expect(typeInfo('backend-service')).toMatchObject({ interactive: false, keys: true });
  });
});
