import { describe, expect, it } from 'vitest';
import type { Client } from '../api';
import { emptyLaunchFields, launchableClients, launchServerErrors, parseFhirContext, standaloneFacts, validateLaunch, type LaunchFields } from './launchForm';

const app: Client = {
  client_id: 'app1',
  client_name: 'Chart viewer',
  type: 'public',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1:9/callback'],
  launch_uri: 'http://127.0.0.1:9/launch',
  scope: 'openid launch patient/*.rs',
  created_at: '2026-11-26T23:00:00Z',
  grant_types: ['authorization_code', 'refresh_token'],
};
const backend: Client = { ...app, client_id: 'bulk', client_name: 'Bulk', type: 'backend-service', redirect_uris: [], launch_uri: undefined, grant_types: ['client_credentials'] };
const fields = (over: Partial<LaunchFields>): LaunchFields => ({ ...emptyLaunchFields(), clientId: 'app1', ...over });

describe('validateLaunch', () => {
  it('sends only the client when nothing else is chosen', () => {
    expect(validateLaunch(fields({}), app)).toEqual({ ok: true, input: { client_id: 'app1' } });
  });

  it('maps every field to the POST /api/launches body', () => {
    const v = validateLaunch(
      fields({
        patient: 'p1',
        encounter: 'Encounter/e1',
        userKind: 'practitioner',
        practitioner: 'Practitioner/dr-1',
        launchUri: 'https://app.example/launch',
        intent: ' reconcile-medications ',
        needPatientBanner: 'false',
        smartStyleUrl: 'http://127.0.0.1:8765/auth/style.json',
        fhirContext: '[{"reference": "Observation/o1"}]',
        autoApprove: true,
      }),
      app,
    );
    expect(v).toEqual({
      ok: true,
      input: {
        client_id: 'app1',
        patient: 'p1',
        encounter: 'e1',
        user: 'Practitioner/dr-1',
        launch_uri: 'https://app.example/launch',
        intent: 'reconcile-medications',
        need_patient_banner: false,
        smart_style_url: 'http://127.0.0.1:8765/auth/style.json',
        fhir_context: [{ reference: 'Observation/o1' }],
        auto_approve: true,
      },
    });
  });

  it('lets a patient sign in as the patient in context', () => {
    expect(validateLaunch(fields({ patient: 'p1', userKind: 'patient' }), app)).toMatchObject({ ok: true, input: { patient: 'p1', user: 'Patient/p1' } });
    expect(validateLaunch(fields({ patient: 'p1', userKind: 'patient', patientUser: 'p2' }), app)).toMatchObject({ ok: false, errors: { patientUser: /only open their own record/ } });
  });

  it.each<[Partial<LaunchFields>, Client | undefined, string, RegExp]>([
    [{}, undefined, 'clientId', /Pick the app/],
    [{ clientId: 'bulk' }, backend, 'clientId', /Backend services/],
    [{ userKind: 'practitioner' }, app, 'practitioner', /Pick the practitioner/],
    [{ userKind: 'practitioner', practitioner: 'Patient/p1' }, app, 'practitioner', /Practitioner\/\{id\}/],
    [{ userKind: 'practitioner', practitioner: 'dr 1' }, app, 'practitioner', /letters, digits/],
    [{ userKind: 'patient' }, app, 'patientUser', /Pick the patient/],
    [{ encounter: 'a/b' }, app, 'encounter', /Encounter id/],
    [{ encounter: 'e1' }, app, 'encounter', /pick the patient in context first/],
    [{ launchUri: 'app.example/launch' }, app, 'launchUri', /absolute http/],
    [{ smartStyleUrl: 'style.json' }, app, 'smartStyleUrl', /absolute http/],
    [{ fhirContext: '{"reference": "x"}' }, app, 'fhirContext', /is an array/],
    [{ fhirContext: '["Observation/1"]' }, app, 'fhirContext', /not an object/],
  ])('%j → %s', (over, client, field, message) => {
    const v = validateLaunch(fields(over), client);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors[field as keyof typeof v.errors]).toMatch(message);
  });

  it('asks for a launch URL when the app registered none', () => {
    const bare = { ...app, launch_uri: undefined };
    expect(validateLaunch(fields({}), bare)).toMatchObject({ ok: false, errors: { launchUri: /no launch URL registered/ } });
    expect(validateLaunch(fields({ launchUri: 'http://x/launch' }), bare).ok).toBe(true);
  });
});

describe('parseFhirContext', () => {
  it('accepts reference, canonical and identifier items', () => {
    expect(parseFhirContext('[{"reference":"A/1"},{"canonical":"http://x|1"},{"identifier":{"value":"v"}}]').ok).toBe(true);
    expect(parseFhirContext('[{"role":"x"}]')).toEqual({ ok: false, error: 'Item 1 needs a reference, canonical or identifier.' });
    expect(parseFhirContext('nope')).toMatchObject({ ok: false, error: /^Not JSON/ });
  });
});

describe('standaloneFacts', () => {
  const smart = { authorization_endpoint: 'http://h/auth/authorize', token_endpoint: 'http://h/auth/token' };
  it('gives the authorize request of a standalone launch with the checklist’s default scopes', () => {
    const f = standaloneFacts(app, smart, 'http://h/fhir');
    expect(f).toMatchObject({ authorizeUrl: 'http://h/auth/authorize', aud: 'http://h/fhir', redirectUri: 'http://127.0.0.1:9/callback', scope: 'launch/patient openid fhirUser offline_access patient/*.rs' });
    expect(f.example).toBe(
      'http://h/auth/authorize?response_type=code&client_id=app1&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=launch%2Fpatient%20openid%20fhirUser%20offline_access%20patient%2F*.rs&aud=http%3A%2F%2Fh%2Ffhir&state={state}&code_challenge={S256 of your code_verifier}&code_challenge_method=S256',
    );
  });
  it('gives a backend service the token endpoint only', () => {
    expect(standaloneFacts(backend, smart, 'http://h/fhir')).toEqual({ tokenUrl: 'http://h/auth/token', aud: 'http://h/fhir', clientId: 'bulk', scope: 'system/*.rs' });
  });
});

describe('launchableClients', () => {
  it('leaves out backend services and sorts by name', () => {
    expect(launchableClients([backend, { ...app, client_name: 'Zed' }, { ...app, client_name: 'Alpha' }]).map((c) => c.client_name)).toEqual(['Alpha', 'Zed']);
  });
});

describe('launchServerErrors', () => {
  const refused = 'invalid input\ninvalid launch\nunknown patient "zz"';

  it.each([
    ['client_id', 'clientId'],
    ['patient', 'patient'],
    ['encounter', 'encounter'],
    ['launch_uri', 'launchUri'],
    ['fhir_context', 'fhirContext'],
    ['smart_style_url', 'smartStyleUrl'],
    ['intent', 'general'],
    ['need_patient_banner', 'general'],
    ['tenant', 'general'],
    ['auto_approve', 'general'],
  ] as const)('field %s → %s', (field, slot) => {
    expect(launchServerErrors(refused, field, { client_id: 'app1' })).toEqual({ [slot]: 'unknown patient "zz"' });
  });

  it('puts a refused user next to the picker that chose them', () => {
    expect(launchServerErrors('invalid input\nno Practitioner/x', 'user', { client_id: 'app1', user: 'Practitioner/x' })).toEqual({ practitioner: 'no Practitioner/x' });
    expect(launchServerErrors('invalid input\nno Patient/x', 'user', { client_id: 'app1', user: 'Patient/x' })).toEqual({ patientUser: 'no Patient/x' });
    expect(launchServerErrors('invalid input\nno user', 'user', { client_id: 'app1' })).toEqual({ general: 'no user' });
  });

  it('shows a refusal without a field of this request under the form, as before', () => {
    expect(launchServerErrors(refused, undefined, { client_id: 'app1' })).toEqual({ general: 'unknown patient "zz"' });
    expect(launchServerErrors(refused, 'valet_patient', { client_id: 'app1' })).toEqual({ general: 'unknown patient "zz"' });
  });
});
