// The request members a control-API refusal can name in its `field` (server/wire.Error), by their JSON
// names: the bodies of POST/PUT /api/clients, POST /api/launches, POST /api/generate, PUT
// …/password, PUT /api/retention, POST /api/simulations and POST /api/admin/…. A form maps the names it
// sends to its own inputs, so the refusal shows next to the input that caused it without the panel
// reading the message's words (STYLE.md practice 16).

export const CLIENT_INPUT_FIELDS = [
  'client_id',
  'client_name',
  'type',
  'token_endpoint_auth_method',
  'grant_types',
  'redirect_uris',
  'launch_uri',
  'scope',
  'jwks',
  'jwks_uri',
  'access_token_lifetime',
  'refresh_token_lifetime',
  'no_refresh_rotation',
  'any_secret_method',
  'valet_user',
  'valet_patient',
  'valet_auto_approve',
  'valet_app_state_codes',
  'valet_app_state_global',
  'valet_http_redirects',
] as const;
export type ClientInputField = (typeof CLIENT_INPUT_FIELDS)[number];

export const LAUNCH_INPUT_FIELDS = [
  'client_id',
  'patient',
  'encounter',
  'user',
  'launch_uri',
  'fhir_context',
  'intent',
  'need_patient_banner',
  'smart_style_url',
  'tenant',
  'auto_approve',
] as const;
export type LaunchInputField = (typeof LAUNCH_INPUT_FIELDS)[number];

export const GENERATE_REQUEST_FIELDS = ['patients', 'seed', 'personas', 'years', 'as_of'] as const;
export type GenerateRequestField = (typeof GENERATE_REQUEST_FIELDS)[number];

export const PASSWORD_INPUT_FIELDS = ['password'] as const;
export type PasswordInputField = (typeof PASSWORD_INPUT_FIELDS)[number];

export const RETENTION_FIELDS = ['events_days', 'events_max', 'audit_days'] as const;
export type RetentionField = (typeof RETENTION_FIELDS)[number];

export const SIMULATION_FIELDS = ['kind', 'client_id', 'launch', 'when', 'n', 'delay_ms', 'retry_after', 'scope', 'patient'] as const;
export type SimulationField = (typeof SIMULATION_FIELDS)[number];

export const CREDENTIAL_INPUT_FIELDS = ['name'] as const;
export type CredentialInputField = (typeof CREDENTIAL_INPUT_FIELDS)[number];

/** Any member a refusal can name. */
export type ApiField = ClientInputField | LaunchInputField | GenerateRequestField | PasswordInputField | RetentionField | SimulationField | CredentialInputField;

const ALL: ReadonlySet<string> = new Set([
  ...CLIENT_INPUT_FIELDS,
  ...LAUNCH_INPUT_FIELDS,
  ...GENERATE_REQUEST_FIELDS,
  ...PASSWORD_INPUT_FIELDS,
  ...RETENTION_FIELDS,
  ...SIMULATION_FIELDS,
  ...CREDENTIAL_INPUT_FIELDS,
]);

/** Whether a refusal's `field` is a member the panel knows (a newer server may name others). */
export const isApiField = (name: unknown): name is ApiField => typeof name === 'string' && ALL.has(name);

/** Whether `name` is one of `fields` (the members of one request body). */
export const isFieldOf = <F extends string>(fields: readonly F[], name: string | undefined): name is F => name !== undefined && (fields as readonly string[]).includes(name);
