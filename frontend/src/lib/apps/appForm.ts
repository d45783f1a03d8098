// The Apps view's rules: the four SMART client types, the Register/Edit form's fields, their validation,
// and the mapping to the body of POST/PUT /api/clients. The server validates everything again
// (server/auth/clients.go); checking here puts the answer next to the field before a request is sent,
// and serverFieldError puts the server's own refusal next to the field it names.
import { CLIENT_INPUT_FIELDS, cleanServerMessage, isFieldOf, type ApiField, type AuthMethod, type Client, type ClientInput, type ClientInputField, type ClientType } from '../api';

export const DEFAULT_USER_SCOPES = 'openid fhirUser profile launch launch/patient launch/encounter offline_access online_access patient/*.cruds user/*.cruds';
export const DEFAULT_BACKEND_SCOPES = 'system/*.cruds';
/** Backend-service access tokens live at most this long (SMART Backend Services; the server refuses more). */
export const BACKEND_MAX_LIFETIME = 300;

export interface ClientTypeInfo {
  type: ClientType;
  label: string;
  /** One line on who should pick it. */
  summary: string;
  /** Redirect URIs, launch URL and the sandbox options only make sense for user-facing apps. */
  interactive: boolean;
  /** private_key_jwt: the client proves itself with a key from its JWKS. */
  keys: boolean;
  secret: boolean;
  defaultScope: string;
}

export const CLIENT_TYPES: readonly ClientTypeInfo[] = [
  { type: 'public', label: 'Public', summary: 'Browser or native app that cannot keep a secret; PKCE only.', interactive: true, keys: false, secret: false, defaultScope: DEFAULT_USER_SCOPES },
  { type: 'confidential-symmetric', label: 'Confidential · secret', summary: 'Server-side app with a client secret (shown once).', interactive: true, keys: false, secret: true, defaultScope: DEFAULT_USER_SCOPES },
  { type: 'confidential-asymmetric', label: 'Confidential · key', summary: 'Server-side app that signs a JWT with its private key (JWKS).', interactive: true, keys: true, secret: false, defaultScope: DEFAULT_USER_SCOPES },
  { type: 'backend-service', label: 'Backend service', summary: 'No user: client_credentials with a signed JWT, system/ scopes.', interactive: false, keys: true, secret: false, defaultScope: DEFAULT_BACKEND_SCOPES },
];

export function typeInfo(type: ClientType | string): ClientTypeInfo {
  return CLIENT_TYPES.find((t) => t.type === type) ?? CLIENT_TYPES[0];
}

export type SecretMethod = 'client_secret_basic' | 'client_secret_post';
export type KeySource = 'jwks' | 'jwks_uri';

/** What the form's inputs hold. Lists are one entry per line; numbers arrive as number inputs give them. */
export interface AppFields {
  name: string;
  /** Only on registration: empty lets the server choose a random id. */
  clientId: string;
  type: ClientType;
  secretMethod: SecretMethod;
  anySecretMethod: boolean;
  redirectUris: string;
  launchUri: string;
  /** Empty means the server default for the type. */
  scope: string;
  keySource: KeySource;
  jwks: string;
  jwksUri: string;
  accessTokenLifetime: number | string | null | undefined;
  refreshTokenLifetime: number | string | null | undefined;
  noRefreshRotation: boolean;
  /** Leniency: http redirect URIs on hosts that are not loopback. */
  httpRedirects: boolean;
  /** Practitioner/{id} or Patient/{id}, signed in without the login page. */
  user: string;
  /** Patient id chosen without the picker. */
  patient: string;
  autoApprove: boolean;
}

export type AppField = keyof AppFields;
export type AppErrors = Partial<Record<AppField | 'general', string>>;

export const emptyAppFields = (): AppFields => ({
  name: '',
  clientId: '',
  type: 'public',
  secretMethod: 'client_secret_basic',
  anySecretMethod: false,
  redirectUris: '',
  launchUri: '',
  scope: '',
  keySource: 'jwks',
  jwks: '',
  jwksUri: '',
  accessTokenLifetime: '',
  refreshTokenLifetime: '',
  noRefreshRotation: false,
  httpRedirects: false,
  user: '',
  patient: '',
  autoApprove: false,
});

/** The form as it should look when editing an existing client. */
export function clientToFields(c: Client): AppFields {
  return {
    ...emptyAppFields(),
    name: c.client_name,
    clientId: c.client_id,
    type: c.type,
    secretMethod: c.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    anySecretMethod: !!c.any_secret_method,
    redirectUris: (c.redirect_uris ?? []).join('\n'),
    launchUri: c.launch_uri ?? '',
    scope: c.scope,
    keySource: c.jwks_uri ? 'jwks_uri' : 'jwks',
    jwks: c.jwks ? JSON.stringify(c.jwks, null, 2) : '',
    jwksUri: c.jwks_uri ?? '',
    accessTokenLifetime: c.access_token_lifetime ?? '',
    refreshTokenLifetime: c.refresh_token_lifetime ?? '',
    noRefreshRotation: !!c.no_refresh_rotation,
    httpRedirects: !!c.valet_http_redirects,
    user: c.valet_user ?? '',
    patient: c.valet_patient ?? '',
    autoApprove: !!c.valet_auto_approve,
  };
}

export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

function absoluteURL(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

const isHttpURL = (s: string) => {
  const u = absoluteURL(s);
  return !!u && (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
};

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const BROWSER_SCHEMES = ['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:'];

/** RFC 6749 §3.1.2: absolute, no fragment; RFC 8252 §8.3 as real EHRs apply it: http only on a loopback
 *  host unless the app has the leniency (custom schemes such as com.example.app:/cb are fine). The
 *  server's rule is checkRedirectURI in server/auth/clients.go. */
export function redirectUriError(u: string, allowHttp = false): string | undefined {
  const p = absoluteURL(u);
  if (!p || ((p.protocol === 'http:' || p.protocol === 'https:') && !p.host)) return `“${u}” is not an absolute URL.`;
  if (u.includes('#')) return `“${u}” must not contain a fragment (#…).`;
  if (BROWSER_SCHEMES.includes(p.protocol.toLowerCase())) return `“${u}”: ${p.protocol} is not a place to send an authorization code.`;
  if (p.protocol === 'http:' && !allowHttp && !LOOPBACK_HOST.test(p.hostname)) {
    return `“${u}” must be https: http is accepted only on 127.0.0.1, [::1] and localhost, as real EHRs do — or tick the leniency below.`;
  }
  return undefined;
}

const USER_REF = /^(Practitioner|Patient)\/[A-Za-z0-9\-.]{1,64}$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** Checks a pasted JWKS the way the server will; returns the parsed set or a message. */
export function parseJwks(text: string): { ok: true; jwks: { keys: Record<string, unknown>[] } } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not JSON: ${(err as Error).message}` };
  }
  const keys = (v as { keys?: unknown })?.keys;
  if (!v || typeof v !== 'object' || !Array.isArray(keys) || keys.length === 0) return { ok: false, error: 'A JWKS is an object with a non-empty "keys" array: {"keys": [{…}]}.' };
  for (const [i, k] of keys.entries()) {
    if (!k || typeof k !== 'object' || typeof (k as { kty?: unknown }).kty !== 'string') return { ok: false, error: `Key ${i + 1} has no "kty".` };
    const priv = PRIVATE_MEMBERS.find((m) => m in k);
    if (priv) return { ok: false, error: `Key ${i + 1}${(k as { kid?: string }).kid ? ` (${(k as { kid?: string }).kid})` : ''} is private (it has "${priv}"): paste the public keys only.` };
  }
  return { ok: true, jwks: v as { keys: Record<string, unknown>[] } };
}

/** A lifetime in seconds from an input: 0 (server default) when empty, null when not a whole number ≥ 0. */
function seconds(v: AppFields['accessTokenLifetime']): number | null {
  if (v === null || v === undefined || String(v).trim() === '') return 0;
  const s = String(v).trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export type AppValidation = { ok: true; input: ClientInput } | { ok: false; errors: AppErrors };

/** Validates the form and builds the request body. `editing` keeps the client_id out of the body. */
export function validateApp(f: AppFields, editing = false): AppValidation {
  const errors: AppErrors = {};
  const info = typeInfo(f.type);
  const name = f.name.trim();
  if (!name) errors.name = 'Give the app a name: it is shown on the login and consent pages.';
  const clientId = editing ? '' : f.clientId.trim();
  if (clientId && !/^[\x21-\x7e]+$/.test(clientId)) errors.clientId = 'A client_id is printable ASCII without spaces.';

  const redirects = info.interactive ? lines(f.redirectUris) : [];
  if (info.interactive) {
    if (redirects.length === 0) errors.redirectUris = 'At least one redirect URI: the app receives its code there.';
    else {
      const bad = redirects.map((u) => redirectUriError(u, f.httpRedirects)).find(Boolean);
      if (bad) errors.redirectUris = bad;
    }
  }
  const launchUri = info.interactive ? f.launchUri.trim() : '';
  if (launchUri && !isHttpURL(launchUri)) errors.launchUri = 'The launch URL must be an absolute http(s) URL.';

  let jwks: unknown;
  let jwksUri: string | undefined;
  if (info.keys) {
    if (f.keySource === 'jwks') {
      const parsed = f.jwks.trim() ? parseJwks(f.jwks) : ({ ok: false, error: 'Paste the public JWKS the app signs its client assertions with.' } as const);
      if (parsed.ok) jwks = parsed.jwks;
      else errors.jwks = parsed.error;
    } else {
      jwksUri = f.jwksUri.trim();
      if (!isHttpURL(jwksUri)) errors.jwksUri = 'The JWKS URL must be an absolute http(s) URL.';
    }
  }

  const scope = f.scope.trim().split(/\s+/).filter(Boolean).join(' ');
  if (f.type === 'backend-service') {
    const bad = scope.split(' ').filter((s) => s && !s.startsWith('system/'));
    if (bad.length) errors.scope = `Backend services hold system/ scopes only, not ${bad.join(' ')}.`;
  }

  const access = seconds(f.accessTokenLifetime);
  const refresh = seconds(f.refreshTokenLifetime);
  if (access === null) errors.accessTokenLifetime = 'Seconds, a whole number (empty for the default).';
  else if (f.type === 'backend-service' && access > BACKEND_MAX_LIFETIME) errors.accessTokenLifetime = `Backend-service tokens last at most ${BACKEND_MAX_LIFETIME} s.`;
  if (refresh === null) errors.refreshTokenLifetime = 'Seconds, a whole number (empty for the default).';

  const user = info.interactive ? f.user.trim() : '';
  if (user && !USER_REF.test(user)) errors.user = 'Practitioner/{id} or Patient/{id}, or empty for the login page.';
  const patient = info.interactive ? f.patient.trim() : '';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const method: AuthMethod = info.secret ? f.secretMethod : info.keys ? 'private_key_jwt' : 'none';
  const input: ClientInput = {
    client_name: name,
    type: f.type,
    token_endpoint_auth_method: method,
    grant_types: f.type === 'backend-service' ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
    redirect_uris: redirects,
    launch_uri: launchUri,
    scope,
    access_token_lifetime: access ?? 0,
    refresh_token_lifetime: f.type === 'backend-service' ? 0 : (refresh ?? 0),
    no_refresh_rotation: f.type !== 'backend-service' && f.noRefreshRotation,
    any_secret_method: info.secret && f.anySecretMethod,
    valet_user: user,
    valet_patient: patient,
    valet_auto_approve: info.interactive && f.autoApprove,
    valet_http_redirects: info.interactive && f.httpRedirects,
  };
  if (clientId) input.client_id = clientId;
  if (jwks !== undefined) input.jwks = jwks;
  if (jwksUri !== undefined) input.jwks_uri = jwksUri;
  return { ok: true, input };
}

/** Where a refusal of each member of the client body shows: next to its input, or under the form when
 *  the form has no place for it (the type is the chosen card; app state is not in the form). */
const CLIENT_FIELD_SLOTS: Record<ClientInputField, AppField | 'general'> = {
  client_id: 'clientId',
  client_name: 'name',
  type: 'general',
  token_endpoint_auth_method: 'general',
  grant_types: 'general',
  redirect_uris: 'redirectUris',
  launch_uri: 'launchUri',
  scope: 'scope',
  jwks: 'jwks',
  jwks_uri: 'jwksUri',
  access_token_lifetime: 'accessTokenLifetime',
  refresh_token_lifetime: 'refreshTokenLifetime',
  no_refresh_rotation: 'general',
  any_secret_method: 'anySecretMethod',
  valet_user: 'user',
  valet_patient: 'patient',
  valet_auto_approve: 'general',
  valet_app_state_codes: 'general',
  valet_app_state_global: 'general',
  valet_http_redirects: 'redirectUris',
};

/**
 * Which field a server refusal is about, so it shows next to it: the member the server names in
 * `field`; from a server that names none, the one its wording (server/auth/clients.go) points at.
 */
export function serverFieldError(message: string, field?: ApiField): { field: AppField | 'general'; message: string } {
  const m = cleanServerMessage(message);
  if (isFieldOf(CLIENT_INPUT_FIELDS, field)) return { field: CLIENT_FIELD_SLOTS[field], message: m };
  const rules: [RegExp, AppField][] = [
    [/^invalid_redirect_uri|redirect_uri/, 'redirectUris'],
    [/jwks_uri must/, 'jwksUri'],
    [/jwks|private_key_jwt|public keys/, 'jwks'],
    [/launch_uri/, 'launchUri'],
    [/valet_user/, 'user'],
    [/valet_patient/, 'patient'],
    [/client_id .* is taken/, 'clientId'],
    [/any_secret_method/, 'anySecretMethod'],
    [/access tokens last|token lifetimes/, 'accessTokenLifetime'],
    [/\bscope: |system\/ scopes/, 'scope'],
  ];
  const raw = message.split('\n').filter((l) => l.trim() && l.trim() !== 'invalid input').join(' ');
  for (const [re, slot] of rules) if (re.test(raw)) return { field: slot, message: m };
  return { field: 'general', message: m };
}

/** The sandbox options of a client, as short phrases for the list ("signs in as Practitioner/x"). */
export function sandboxOptions(c: Pick<Client, 'valet_user' | 'valet_patient' | 'valet_auto_approve'>): string[] {
  const out: string[] = [];
  if (c.valet_user) out.push(`User ${c.valet_user}`);
  if (c.valet_patient) out.push(`Patient/${c.valet_patient}`);
  if (c.valet_auto_approve) out.push('Auto-approve');
  return out;
}

export const scopeList = (scope: string): string[] => scope.split(/\s+/).filter(Boolean);
