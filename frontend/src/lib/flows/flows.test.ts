import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../api';
import { groupFlows, mergeEvents, stepOutcome, stepTitle, stepTokens } from './flows';

const b64urlBytes = (bytes: Uint8Array | number[]) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const b64text = (s: string) => b64urlBytes(new TextEncoder().encode(s));
const b64url = (v: unknown) => b64text(JSON.stringify(v));
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'ES256', kid: 'k', typ: 'JWT' })}.${b64url(claims)}.REDACTED`;
const access = jwt({ sub: 'Practitioner/dr1', patient: 'p1', fhirUser: 'Practitioner/dr1', jti: 'j1', exp: 2, iat: 1 });
const refreshed = jwt({ sub: 'Practitioner/dr1', patient: 'p1', jti: 'j2', exp: 2, iat: 1 });
const at = (s: number) => `2026-11-26T23:50:${String(s).padStart(2, '0')}Z`;

// The events one EHR launch produces (as captured from the real server, credentials redacted).
const ehr: FlowEvent[] = [
  { id: 2, at: at(1), kind: 'launch.created', launch_id: 'L1', client_id: 'app', response: { url: 'http://127.0.0.1:9/launch?iss=x&launch=L1' } },
  { id: 3, at: at(2), kind: 'authorize.received', launch_id: 'L1', flow_id: 'F1', client_id: 'app', request: { launch: 'L1', scope: 'launch openid' } },
  { id: 4, at: at(2), kind: 'consent.auto', launch_id: 'L1', flow_id: 'F1', client_id: 'app', decision: 'approved without asking (auto-approve)' },
  { id: 5, at: at(2), kind: 'code.issued', launch_id: 'L1', flow_id: 'F1', client_id: 'app', decision: 'granted launch openid', response: { code: 'pFvz…REDACTED', state: 'x' } },
  { id: 6, at: at(3), kind: 'token.issued', flow_id: 'F1', client_id: 'app', request: { grant_type: 'authorization_code', code: 'pFvz…REDACTED' }, response: { access_token: access, refresh_token: 'MR9u…REDACTED', patient: 'p1' } },
  { id: 7, at: at(4), kind: 'token.issued', flow_id: 'F1', client_id: 'app', request: { grant_type: 'refresh_token', refresh_token: 'MR9u…REDACTED' }, response: { access_token: refreshed } },
];
// A replayed code: the server records the refusal without a flow id.
const replay: FlowEvent = {
  id: 9, at: at(6), kind: 'token.refused', client_id: 'app', request: { grant_type: 'authorization_code', code: 'pFvz…REDACTED' },
  decision: 'invalid_grant: authorization code was already used; the tokens issued from it are revoked', response: { error: 'invalid_grant', error_description: 'authorization code was already used' },
};
const standalone: FlowEvent[] = [
  { id: 8, at: at(5), kind: 'authorize.received', flow_id: 'F2', client_id: 'other', request: { scope: 'launch/patient openid' } },
  { id: 10, at: at(7), kind: 'authorize.refused', flow_id: 'F2', client_id: 'other', decision: 'invalid_scope: none of the requested scopes is allowed', response: { error: 'invalid_scope' } },
];

describe('groupFlows', () => {
  it('puts a launch, its authorization request and the grant’s tokens in one flow', () => {
    const [flow] = groupFlows(ehr);
    expect(flow).toMatchObject({ key: 'launch:L1', kind: 'ehr', launchId: 'L1', clientId: 'app', patient: 'p1', user: 'Practitioner/dr1', outcome: 'success', status: 'Token refreshed' });
    expect(flow.steps.map((s) => s.title)).toEqual(['EHR launch created', 'Authorization request received', 'Consent auto-approved', 'Authorization code issued', 'Access token issued', 'Token refreshed']);
    expect(flow.steps.every((s) => !s.linked)).toBe(true);
  });

  it('knows what a flow holds and puts an expire-now by jti or grant into it', () => {
    const tok = jwt({ sub: 'Patient/p1', jti: 'j9', valet_grant: 'G1', exp: 2, iat: 1 });
    const events: FlowEvent[] = [
      { id: 1, at: at(1), kind: 'authorize.received', flow_id: 'F3', client_id: 'app' },
      { id: 2, at: at(2), kind: 'token.issued', flow_id: 'F3', client_id: 'app', request: { grant_type: 'authorization_code' }, response: { access_token: tok, refresh_token: 'abcd…REDACTED' } },
      { id: 3, at: at(3), kind: 'expired', request: { jti: 'j9' }, decision: 'access_token expired now (control API)' },
      { id: 4, at: at(4), kind: 'expired', request: { grant: 'G1' }, decision: 'refresh_token expired now (control API)' },
      { id: 5, at: at(5), kind: 'expired', request: { jti: 'other' }, decision: 'access_token expired now (control API)' },
    ];
    const [lone, flow] = groupFlows(events);
    expect(flow).toMatchObject({ key: 'flow:F3', flowId: 'F3', held: { jti: 'j9', grant: 'G1', refresh: true } });
    expect(flow.steps.map((s) => [s.title, s.outcome, s.linked])).toEqual([
      ['Authorization request received', 'info', false],
      ['Access token issued', 'success', false],
      ['Expired now (control API)', 'info', true],
      ['Expired now (control API)', 'info', true],
    ]);
    expect(lone.key).toBe('event:5');
  });

  it('attaches a refusal without flow id to the flow that issued the code it presented', () => {
    const flows = groupFlows([...ehr, ...standalone, replay].sort((a, b) => a.id - b.id));
    expect(flows.map((f) => f.key)).toEqual(['flow:F2', 'launch:L1']);
    const ehrFlow = flows[1];
    expect(ehrFlow.steps.at(-1)).toMatchObject({ title: 'Token request refused', outcome: 'error', errorCode: 'invalid_grant', linked: true });
    expect(ehrFlow).toMatchObject({ outcome: 'error', status: 'Token request refused · invalid_grant' });
    expect(flows[0]).toMatchObject({ kind: 'standalone', outcome: 'error', status: 'Authorization refused · invalid_scope' });
  });

  it('links an introspection by the JWT it asked about, across clients', () => {
    const introspect: FlowEvent = { id: 11, at: at(8), kind: 'introspect', client_id: 'resource-server', request: { token: access }, decision: 'active=true', response: { active: true } };
    const flows = groupFlows([...ehr, introspect]);
    expect(flows).toHaveLength(1);
    expect(flows[0].steps.at(-1)).toMatchObject({ title: 'Token introspected', linked: true, outcome: 'success' });
  });

  it('does not link an opaque credential of another client (prefixes are short)', () => {
    const other: FlowEvent = { ...replay, id: 12, client_id: 'someone-else' };
    const flows = groupFlows([...ehr, other]);
    expect(flows.map((f) => f.key)).toEqual(['event:12', 'launch:L1']);
  });

  it('keeps an EHR launch with several authorization attempts together, and says when it waits', () => {
    const flows = groupFlows([ehr[0], ehr[1], { ...ehr[1], id: 20, flow_id: 'F9' }, { id: 21, at: at(9), kind: 'login', flow_id: 'F9', client_id: 'app', decision: 'signed in as Patient/p7' }]);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ outcome: 'pending', status: 'Signed in — waiting at the picker or consent page', user: 'Patient/p7' });
    expect(groupFlows([ehr[0]])[0]).toMatchObject({ outcome: 'pending', status: 'Launch created — the app has not started it yet' });
  });

  it('makes each client_credentials token its own backend-services flow', () => {
    const cc = (id: number): FlowEvent => ({ id, at: at(id), kind: 'token.issued', client_id: 'bulk', request: { grant_type: 'client_credentials', client_assertion: jwt({ iss: 'bulk', sub: 'bulk' }) }, response: { access_token: jwt({ jti: `b${id}` }) } });
    const flows = groupFlows([cc(30), cc(31)]);
    expect(flows.map((f) => [f.key, f.kind, f.status])).toEqual([
      ['event:31', 'backend', 'Access token issued (client credentials)'],
      ['event:30', 'backend', 'Access token issued (client credentials)'],
    ]);
    expect(flows[0].steps[0].tokens.map((t) => t.field)).toEqual(['request.client_assertion', 'response.access_token']);
  });

  it('marks the steps a simulation shaped and counts them on the flow', () => {
    const sim = { id: 'S1', kind: 'fhir.rate_limited' };
    const fhir: FlowEvent = { id: 20, at: at(9), kind: 'fhir.simulated', launch_id: 'L1', flow_id: 'F1', client_id: 'app', request: { method: 'GET', url: '/fhir/Patient/p1' },
      decision: '429 too many requests', response: { status: 429, 'Retry-After': '7' }, simulated: sim };
    const slow: FlowEvent = { ...fhir, id: 21, decision: 'delayed 200 ms', response: undefined, simulated: { id: 'S2', kind: 'fhir.slow' } };
    const [flow] = groupFlows([...ehr, fhir, slow]);
    expect(flow.simulated).toBe(2);
    expect(flow.steps.filter((s) => s.simulated).map((s) => [s.title, s.outcome, s.errorCode, s.simulated?.kind])).toEqual([
      ['FHIR request answered by a simulation', 'error', 'HTTP 429', 'fhir.rate_limited'],
      ['FHIR request answered by a simulation', 'info', undefined, 'fhir.slow'],
    ]);
    expect(groupFlows(ehr)[0].simulated).toBe(0);
  });

  it('returns nothing for no events', () => {
    expect(groupFlows([])).toEqual([]);
  });
});

describe('steps', () => {
  it('titles token steps by grant type', () => {
    expect(stepTitle(ehr[4])).toBe('Access token issued');
    expect(stepTitle({ id: 1, at: at(1), kind: 'token.issued' })).toBe('Token issued');
    expect(stepTitle({ id: 1, at: at(1), kind: 'something.new' })).toBe('something.new');
  });

  it.each<[Partial<FlowEvent>, ReturnType<typeof stepOutcome>]>([
    [{ kind: 'consent.denied', decision: 'user denied' }, { outcome: 'error', errorCode: 'access_denied' }],
    [{ kind: 'authorize.refused', decision: 'Unknown client_id "x". (error page, no redirect)' }, { outcome: 'error', errorCode: undefined }],
    [{ kind: 'introspect', decision: 'invalid_client: client authentication failed' }, { outcome: 'error', errorCode: 'invalid_client' }],
    [{ kind: 'introspect', decision: 'active=false' }, { outcome: 'info' }],
    [{ kind: 'code.issued', decision: 'granted openid' }, { outcome: 'success' }],
    [{ kind: 'authorize.received' }, { outcome: 'info' }],
  ])('%j → %j', (e, want) => {
    expect(stepOutcome({ id: 1, at: at(1), ...e } as FlowEvent)).toEqual(want);
  });

  it('decodes every JWT of a step and skips redacted opaque values', () => {
    const tokens = stepTokens(ehr[4]);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ field: 'response.access_token', jwt: { claims: { patient: 'p1' }, signature: 'redacted' } });
  });
});

describe('mergeEvents', () => {
  it('appends in order and drops duplicates when history and stream overlap', () => {
    const a = ehr.slice(0, 3);
    expect(mergeEvents(a, ehr.slice(3)).map((e) => e.id)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(mergeEvents(a, ehr.slice(1, 5)).map((e) => e.id)).toEqual([2, 3, 4, 5, 6]);
    expect(mergeEvents(a, [])).toBe(a);
  });
});
