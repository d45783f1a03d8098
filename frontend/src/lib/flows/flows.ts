// Turns the flat event log (GET /api/events, /api/events/stream) into flows for the inspector: one
// timeline per EHR launch or authorization request, each step with a title, an outcome and its JWTs
// decoded. Pure, so the grouping rules are unit-tested.
import type { FlowEvent } from '../api';
import { decodeJwt, looksLikeJwt, type DecodedJwt } from './jwt';

export type Outcome = 'success' | 'error' | 'info' | 'pending';
export type FlowKind = 'ehr' | 'standalone' | 'backend' | 'other';

export interface StepToken {
  /** Where the token was: request.client_assertion, response.access_token, … */
  field: string;
  jwt: DecodedJwt;
}

export interface FlowStep {
  event: FlowEvent;
  title: string;
  outcome: Outcome;
  /** The OAuth error code of a refusal (invalid_grant, access_denied…), when it has one. */
  errorCode?: string;
  /** True when the event carried no flow id and was attached by the credential it presented. */
  linked: boolean;
  tokens: StepToken[];
  /** The simulation (server/sim) that shaped this step: a failure or a change Valet made on purpose. */
  simulated?: { id: string; kind: string };
}

export interface Flow {
  key: string;
  kind: FlowKind;
  launchId?: string;
  clientId?: string;
  steps: FlowStep[];
  startedAt: string;
  lastAt: string;
  lastId: number;
  outcome: Outcome;
  status: string;
  /** Launch context as far as the steps tell it. */
  patient?: string;
  user?: string;
  /** How many steps a simulation shaped. */
  simulated: number;
  /** The authorization request's id (events' flow_id), when the server tagged one. */
  flowId?: string;
  /** What the flow holds now, from its last token response: the access token's jti, and the grant
   * (valet_grant) whose refresh token it was issued, for POST /api/expire. */
  held?: { jti?: string; grant?: string; refresh: boolean };
}

/** Adds new events to a list in id order, without duplicates (history and the stream can overlap). */
export function mergeEvents(have: FlowEvent[], incoming: FlowEvent[]): FlowEvent[] {
  if (incoming.length === 0) return have;
  const last = have.length ? have[have.length - 1].id : -Infinity;
  if (incoming.every((e, i) => e.id > last && (i === 0 || e.id > incoming[i - 1].id))) return have.concat(incoming);
  const byId = new Map(have.map((e) => [e.id, e]));
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

const TITLES: Record<string, string> = {
  'launch.created': 'EHR launch created',
  'authorize.received': 'Authorization request received',
  'authorize.refused': 'Authorization refused',
  login: 'User signed in',
  'login.refused': 'Sign-in refused',
  'patient.selected': 'Patient picked',
  'encounter.selected': 'Encounter picked',
  'consent.approved': 'Consent approved',
  'consent.auto': 'Consent auto-approved',
  'consent.denied': 'Consent denied',
  'csrf.refused': 'Form check failed (CSRF)',
  'code.issued': 'Authorization code issued',
  'token.refused': 'Token request refused',
  introspect: 'Token introspected',
  revoke: 'Token revoked',
  register: 'App registered (dynamic registration)',
  logout: 'User signed out',
  'user.password': 'User password changed',
  'fhir.simulated': 'FHIR request answered by a simulation',
  expired: 'Expired now (control API)',
};

const GRANT_TITLES: Record<string, string> = {
  authorization_code: 'Access token issued',
  refresh_token: 'Token refreshed',
  client_credentials: 'Access token issued (client credentials)',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function stepTitle(e: FlowEvent): string {
  if (e.kind === 'token.issued') return GRANT_TITLES[str(e.request?.grant_type) ?? ''] ?? 'Token issued';
  return TITLES[e.kind] ?? e.kind;
}

const ERROR_DECISION = /^([a-z_]+): /;

/** Success, error (with the OAuth error code when there is one), or plain information. */
export function stepOutcome(e: FlowEvent): { outcome: Outcome; errorCode?: string } {
  const code = str(e.response?.error) ?? e.decision?.match(ERROR_DECISION)?.[1];
  if (e.kind.endsWith('.refused') || e.kind === 'consent.denied') return { outcome: 'error', errorCode: code ?? (e.kind === 'consent.denied' ? 'access_denied' : undefined) };
  if ((e.kind === 'introspect' || e.kind === 'revoke' || e.kind === 'register') && code) return { outcome: 'error', errorCode: code };
  if (e.kind === 'introspect') return { outcome: e.decision === 'active=true' ? 'success' : 'info' };
  if (e.kind === 'fhir.simulated') {
    const status = typeof e.response?.status === 'number' ? e.response.status : 0;
    return status >= 400 ? { outcome: 'error', errorCode: `HTTP ${status}` } : { outcome: 'info' };
  }
  if (e.kind === 'authorize.received' || e.kind === 'expired') return { outcome: 'info' };
  if (e.kind in TITLES || e.kind === 'token.issued') return { outcome: 'success' };
  return { outcome: 'info' };
}

/** Every JWT in a step's request and response, decoded (signatures are redacted by the server). */
export function stepTokens(e: FlowEvent): StepToken[] {
  const out: StepToken[] = [];
  for (const [where, body] of [['request', e.request], ['response', e.response]] as const) {
    for (const [k, v] of Object.entries(body ?? {})) {
      if (!looksLikeJwt(v)) continue;
      const d = decodeJwt(v);
      if (d.ok) out.push({ field: `${where}.${k}`, jwt: d.jwt });
    }
  }
  return out;
}

// Credentials a later request can present: the code, the tokens. Their redacted forms are stable (a JWT
// keeps header and claims, an opaque value its first characters), so a request with one of them belongs
// to the flow that issued it — the server does not tag every such request with the flow id (a replayed
// code, an introspection).
const ISSUED = ['code', 'access_token', 'refresh_token', 'id_token'];
const PRESENTED = ['code', 'refresh_token', 'token'];
const credentialKey = (clientId: string | undefined, value: string) => (looksLikeJwt(value) ? `jwt|${value}` : `${clientId ?? ''}|${value}`);

/** Groups events (in id order) into flows, most recently active first. */
export function groupFlows(events: readonly FlowEvent[]): Flow[] {
  const flows = new Map<string, Flow>();
  const flowToKey = new Map<string, string>();
  const credentials = new Map<string, string>();

  for (const e of events) {
    let key: string | undefined = e.launch_id ? `launch:${e.launch_id}` : undefined;
    if (e.flow_id) {
      key = flowToKey.get(e.flow_id) ?? key ?? `flow:${e.flow_id}`;
      flowToKey.set(e.flow_id, key);
    }
    let linked = false;
    if (!key) {
      // An expire-now names the access token by jti or the refresh token by grant (server/auth/expire.go).
      for (const [f, v] of [['jti', str(e.request?.jti)], ['grant', str(e.request?.grant)]] as const) {
        const found = v && credentials.get(`${f}|${v}`);
        if (found) {
          key = found;
          linked = true;
          break;
        }
      }
    }
    if (!key) {
      for (const f of PRESENTED) {
        const v = str(e.request?.[f]);
        const found = v && credentials.get(credentialKey(e.client_id, v));
        if (found) {
          key = found;
          linked = true;
          break;
        }
      }
    }
    key ??= `event:${e.id}`;
    for (const f of ISSUED) {
      const v = str(e.response?.[f]);
      if (v) credentials.set(credentialKey(e.client_id, v), key);
    }
    const claims = looksLikeJwt(e.response?.access_token) ? decodeJwt(e.response.access_token) : undefined;
    if (claims?.ok) {
      const jti = str(claims.jwt.claims.jti);
      const grant = str(claims.jwt.claims.valet_grant);
      if (jti) credentials.set(`jti|${jti}`, key);
      if (grant) credentials.set(`grant|${grant}`, key);
    }

    let flow = flows.get(key);
    if (!flow) {
      flow = { key, kind: 'other', steps: [], startedAt: e.at, lastAt: e.at, lastId: e.id, outcome: 'info', status: '', simulated: 0 };
      flows.set(key, flow);
    }
    flow.steps.push({ event: e, title: stepTitle(e), ...stepOutcome(e), linked, tokens: stepTokens(e), simulated: e.simulated });
    if (e.simulated) flow.simulated++;
    flow.lastAt = e.at;
    flow.lastId = e.id;
    flow.launchId ??= e.launch_id;
    flow.clientId ??= e.client_id;
    flow.flowId ??= e.flow_id;
  }

  const out = [...flows.values()];
  for (const f of out) describeFlow(f);
  return out.sort((a, b) => b.lastId - a.lastId);
}

const WAITING: Record<string, string> = {
  'launch.created': 'Launch created — the app has not started it yet',
  'authorize.received': 'Waiting for the user (sign-in, picker or consent)',
  login: 'Signed in — waiting at the picker or consent page',
  'patient.selected': 'Patient picked — waiting for consent',
  'encounter.selected': 'Encounter picked — waiting for consent',
  'login.refused': 'Sign-in refused — the login page is shown again',
  'code.issued': 'Code issued — not exchanged for a token yet',
};

function describeFlow(f: Flow): void {
  const kinds = new Set(f.steps.map((s) => s.event.kind));
  const grants = new Set(f.steps.map((s) => str(s.event.request?.grant_type)).filter(Boolean));
  f.kind = f.launchId ? 'ehr' : grants.has('client_credentials') ? 'backend' : kinds.has('authorize.received') ? 'standalone' : 'other';

  for (const s of f.steps) {
    const e = s.event;
    if (e.kind === 'login') f.user = e.decision?.replace(/^signed in as /, '') ?? f.user;
    if (e.kind === 'patient.selected') f.patient = e.decision?.replace(/^Patient\//, '') ?? f.patient;
    if (e.kind === 'token.issued') {
      f.patient = str(e.response?.patient) ?? f.patient;
      const access = s.tokens.find((t) => t.field === 'response.access_token');
      f.user = str(access?.jwt.claims.fhirUser) ?? f.user;
      f.held = { jti: str(access?.jwt.claims.jti), grant: str(access?.jwt.claims.valet_grant), refresh: !!f.held?.refresh || !!str(e.response?.refresh_token) };
    }
  }

  const last = f.steps[f.steps.length - 1];
  if (last.outcome === 'error') {
    f.outcome = 'error';
    f.status = `${last.title}${last.errorCode ? ` · ${last.errorCode}` : ''}`;
  } else if (f.kind === 'other') {
    f.outcome = last.outcome;
    f.status = last.title;
  } else if (WAITING[last.event.kind]) {
    f.outcome = 'pending';
    f.status = WAITING[last.event.kind];
  } else if (kinds.has('token.issued')) {
    f.outcome = 'success';
    f.status = last.event.kind === 'token.issued' ? last.title : `Tokens issued · then ${last.title.toLowerCase()}`;
  } else {
    f.outcome = last.outcome;
    f.status = last.title;
  }
}

export const KIND_LABELS: Record<FlowKind, string> = {
  ehr: 'EHR launch',
  standalone: 'Standalone launch',
  backend: 'Backend services',
  other: 'Event',
};

/** Claims worth a line in the flow summary of a decoded access token (SMART launch context). */
export const CONTEXT_CLAIMS = ['patient', 'encounter', 'fhirUser', 'scope', 'client_id'] as const;
