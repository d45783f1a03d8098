// The Launch view's rules: the EHR-launch form → POST /api/launches body, and the facts a developer
// needs to start a standalone launch from their own app (SMART App Launch 2.2 §Standalone launch).
import { cleanServerMessage, isFieldOf, LAUNCH_INPUT_FIELDS, type ApiField, type Client, type LaunchInput, type LaunchInputField, type SmartConfiguration } from '../api';
import { parseUserRef } from '../people/people';

/** Default scopes of the SMART conformance checklist (shared/reference/smart-app-launch.md 2.5). */
export const EHR_SCOPES = 'launch openid fhirUser offline_access patient/*.rs';
export const STANDALONE_SCOPES = 'launch/patient openid fhirUser offline_access patient/*.rs';
export const BACKEND_SCOPES = 'system/*.rs';

export type UserKind = 'login' | 'practitioner' | 'patient';
export type Tristate = 'unset' | 'true' | 'false';

export interface LaunchFields {
  clientId: string;
  /** Patient id in context (the EHR's open chart). */
  patient: string;
  /** Encounter id (the picker's value), of the patient in context. */
  encounter: string;
  userKind: UserKind;
  /** Practitioner/{id} from the picker, or typed (a bare id is taken as a Practitioner id). */
  practitioner: string;
  /** Patient id of a patient who signs in (portal user). */
  patientUser: string;
  /** Overrides the app's registered launch URL for this launch only. */
  launchUri: string;
  intent: string;
  needPatientBanner: Tristate;
  smartStyleUrl: string;
  /** JSON text: an array of SMART 2.2 fhirContext objects. */
  fhirContext: string;
  autoApprove: boolean;
}

export const emptyLaunchFields = (): LaunchFields => ({
  clientId: '',
  patient: '',
  encounter: '',
  userKind: 'login',
  practitioner: '',
  patientUser: '',
  launchUri: '',
  intent: '',
  needPatientBanner: 'unset',
  smartStyleUrl: '',
  fhirContext: '',
  autoApprove: false,
});

export type LaunchField = keyof LaunchFields;
export type LaunchErrors = Partial<Record<LaunchField | 'general', string>>;
export type LaunchValidation = { ok: true; input: LaunchInput } | { ok: false; errors: LaunchErrors };

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function httpURL(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

/** Parses fhir_context: SMART 2.2 wants an array of objects, each with reference, canonical or identifier. */
export function parseFhirContext(text: string): { ok: true; value: Record<string, unknown>[] } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(v)) return { ok: false, error: 'fhirContext is an array: [{"reference": "Observation/123"}].' };
  for (const [i, item] of v.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { ok: false, error: `Item ${i + 1} is not an object (SMART 2.2 uses objects, not strings).` };
    if (!('reference' in item) && !('canonical' in item) && !('identifier' in item)) return { ok: false, error: `Item ${i + 1} needs a reference, canonical or identifier.` };
  }
  return { ok: true, value: v as Record<string, unknown>[] };
}

/** Validates the EHR-launch form against the chosen app and builds the request body (empty fields left out). */
export function validateLaunch(f: LaunchFields, client: Client | undefined): LaunchValidation {
  const errors: LaunchErrors = {};
  if (!client) errors.clientId = 'Pick the app to launch.';
  else if (client.type === 'backend-service') errors.clientId = 'Backend services have no user and no EHR launch; pick a user-facing app.';

  const launchUri = f.launchUri.trim();
  if (launchUri && !httpURL(launchUri)) errors.launchUri = 'The launch URL must be an absolute http(s) URL.';
  else if (client && !launchUri && !client.launch_uri) errors.launchUri = 'This app has no launch URL registered: give one here, or edit the app.';

  const patient = f.patient.trim();
  const encounter = f.encounter.trim().replace(/^Encounter\//, '');
  if (encounter && !FHIR_ID.test(encounter)) errors.encounter = 'An Encounter id: letters, digits, - and . (up to 64).';
  else if (encounter && !patient) errors.encounter = 'An encounter belongs to a patient: pick the patient in context first.';

  let user: string | undefined;
  if (f.userKind === 'practitioner') {
    const parsed = parseUserRef(f.practitioner, ['Practitioner'], 'Practitioner');
    if (!f.practitioner.trim()) errors.practitioner = 'Pick the practitioner who signs in (or choose “Ask at sign-in”).';
    else if (!parsed.ok) errors.practitioner = parsed.error;
    else user = parsed.user.reference;
  } else if (f.userKind === 'patient') {
    const id = f.patientUser.trim() || patient;
    if (!id) errors.patientUser = 'Pick the patient who signs in.';
    else user = `Patient/${id}`;
  }
  if (f.userKind === 'patient' && patient && f.patientUser.trim() && f.patientUser.trim() !== patient) {
    errors.patientUser = 'A patient who signs in can only open their own record: pick the same patient, or a practitioner.';
  }

  const style = f.smartStyleUrl.trim();
  if (style && !httpURL(style)) errors.smartStyleUrl = 'An absolute http(s) URL of a SMART style JSON.';

  let fhirContext: Record<string, unknown>[] | undefined;
  if (f.fhirContext.trim()) {
    const parsed = parseFhirContext(f.fhirContext);
    if (parsed.ok) fhirContext = parsed.value;
    else errors.fhirContext = parsed.error;
  }

  if (Object.keys(errors).length > 0 || !client) return { ok: false, errors };
  const input: LaunchInput = { client_id: client.client_id };
  if (patient) input.patient = patient;
  if (encounter) input.encounter = encounter;
  if (user) input.user = user;
  if (launchUri) input.launch_uri = launchUri;
  if (f.intent.trim()) input.intent = f.intent.trim();
  if (f.needPatientBanner !== 'unset') input.need_patient_banner = f.needPatientBanner === 'true';
  if (style) input.smart_style_url = style;
  if (fhirContext?.length) input.fhir_context = fhirContext;
  if (f.autoApprove) input.auto_approve = true;
  return { ok: true, input };
}

/** Where a refusal of each member of the launch body shows, but `user`: see launchServerErrors. */
const LAUNCH_FIELD_SLOTS: Record<Exclude<LaunchInputField, 'user'>, LaunchField | 'general'> = {
  client_id: 'clientId',
  patient: 'patient',
  encounter: 'encounter',
  launch_uri: 'launchUri',
  fhir_context: 'fhirContext',
  intent: 'general',
  need_patient_banner: 'general',
  smart_style_url: 'smartStyleUrl',
  tenant: 'general',
  auto_approve: 'general',
};

/**
 * Where the server's refusal of a launch shows: next to the input its `field` names (a refused `user`
 * next to the picker that chose it, as the body's reference says), else under the form.
 */
export function launchServerErrors(message: string, field: ApiField | undefined, input: LaunchInput): LaunchErrors {
  const m = cleanServerMessage(message);
  if (!isFieldOf(LAUNCH_INPUT_FIELDS, field)) return { general: m };
  if (field !== 'user') return { [LAUNCH_FIELD_SLOTS[field]]: m };
  if (input.user?.startsWith('Practitioner/')) return { practitioner: m };
  if (input.user?.startsWith('Patient/')) return { patientUser: m };
  return { general: m };
}

/** What an app needs to start a standalone launch (or, for a backend service, to ask for a token). */
export interface StandaloneFacts {
  authorizeUrl?: string;
  tokenUrl: string;
  aud: string;
  clientId: string;
  redirectUri?: string;
  scope: string;
  /** The authorize request with placeholders for the per-request values ({state}, {code_challenge}). */
  example?: string;
}

export function standaloneFacts(client: Client, smart: SmartConfiguration, fhirBase: string): StandaloneFacts {
  if (client.type === 'backend-service') return { tokenUrl: smart.token_endpoint, aud: fhirBase, clientId: client.client_id, scope: BACKEND_SCOPES };
  const redirectUri = client.redirect_uris?.[0];
  const q = [
    ['response_type', 'code'],
    ['client_id', client.client_id],
    ['redirect_uri', redirectUri ?? ''],
    ['scope', STANDALONE_SCOPES],
    ['aud', fhirBase],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return {
    authorizeUrl: smart.authorization_endpoint,
    tokenUrl: smart.token_endpoint,
    aud: fhirBase,
    clientId: client.client_id,
    redirectUri,
    scope: STANDALONE_SCOPES,
    example: `${smart.authorization_endpoint}?${q}&state={state}&code_challenge={S256 of your code_verifier}&code_challenge_method=S256`,
  };
}

/** Apps that can be EHR-launched (everything but backend services), in name order. */
export function launchableClients(clients: readonly Client[]): Client[] {
  return clients.filter((c) => c.type !== 'backend-service').sort((a, b) => a.client_name.localeCompare(b.client_name));
}
