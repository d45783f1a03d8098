// Apps (registered OAuth clients) — server/auth/clients.go
import { getJSON, request, type Fetch } from './request';

/** How a client authenticates, derived by the server from token_endpoint_auth_method and grant_types. */
export type ClientType = 'public' | 'confidential-symmetric' | 'confidential-asymmetric' | 'backend-service';
export type AuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** A registered app as GET /api/clients shows it (the secret is never shown again after creation). */
export interface Client {
  client_id: string;
  client_name: string;
  type: ClientType;
  token_endpoint_auth_method: AuthMethod;
  redirect_uris?: string[] | null;
  launch_uri?: string;
  /** The scopes this client may be granted, space-separated. */
  scope: string;
  jwks?: unknown;
  jwks_uri?: string;
  /** Seconds; absent means the server default. */
  access_token_lifetime?: number;
  refresh_token_lifetime?: number;
  no_refresh_rotation?: boolean;
  any_secret_method?: boolean;
  /** Sandbox options: the fhirUser signed in without the login page, the patient chosen without the picker. */
  valet_user?: string;
  valet_patient?: string;
  valet_auto_approve?: boolean;
  /** Leniency: http redirect URIs accepted on hosts that are not loopback (strict EHRs refuse them). */
  valet_http_redirects?: boolean;
  created_at: string;
  grant_types: string[];
  /** Only in the answer to the POST (or a PUT that made the client symmetric): shown once. */
  client_secret?: string;
}

/** Body of POST /api/clients and PUT /api/clients/{id} (RFC 7591 metadata plus Valet's sandbox options). */
export interface ClientInput {
  client_id?: string;
  client_name: string;
  type: ClientType;
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  redirect_uris: string[];
  launch_uri: string;
  /** "" lets the server apply its default for the client type. */
  scope: string;
  jwks?: unknown;
  jwks_uri?: string;
  access_token_lifetime: number;
  refresh_token_lifetime: number;
  no_refresh_rotation: boolean;
  any_secret_method: boolean;
  valet_user: string;
  valet_patient: string;
  valet_auto_approve: boolean;
  valet_http_redirects: boolean;
}

export async function listClients(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Client[]> {
  return (await getJSON<Client[] | null>('/api/clients', fetchFn, signal)) ?? [];
}

/** POST /api/clients — 400 (invalid metadata) throws an ApiError whose serverMessage says which field. */
export async function createClient(input: ClientInput, fetchFn: Fetch = fetch): Promise<Client> {
  return (await request('POST', '/api/clients', fetchFn, { body: input })).body as Client;
}

export async function updateClient(id: string, input: ClientInput, fetchFn: Fetch = fetch): Promise<Client> {
  return (await request('PUT', `/api/clients/${encodeURIComponent(id)}`, fetchFn, { body: input })).body as Client;
}

/** DELETE /api/clients/{id} — the server also revokes the app's tokens. Answers 204 without a body. */
export async function deleteClient(id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', `/api/clients/${encodeURIComponent(id)}`, fetchFn, { noBody: true });
}
