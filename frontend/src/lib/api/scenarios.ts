// Scenario files — server/scenarios_api.go (docs/scenarios.md, docs/control-api.md#scenarios)
import { request, type Fetch } from './request';
import type { Launch } from './launches';
import type { Simulation } from './simulations';

/** A client as a scenario registered it, with the secret the app authenticates with. */
export interface ScenarioClient {
  client_id: string;
  type: string;
  token_endpoint_auth_method: string;
  client_secret?: string;
  redirect_uris: string[];
  launch_uri?: string;
  created: boolean;
}

/** What POST /api/scenarios applied: what `valet scenario run` prints. */
export interface ScenarioResult {
  scenario: string;
  base_url: string;
  fhir_base: string;
  clients: ScenarioClient[] | null;
  launch?: Launch;
  launch_type?: string;
  launch_client?: string;
  scope?: string;
  simulations: Simulation[];
  clock_offset_seconds: number;
}

/** Checks and applies a scenario file's text; a refused file is an ApiError whose serverMessage has one
 *  `file:line:column: message` line per problem. */
export async function importScenario(yaml: string, file: string, fetchFn: Fetch = fetch): Promise<ScenarioResult> {
  return (await request('POST', '/api/scenarios', fetchFn, { body: { yaml, file } })).body as ScenarioResult;
}

/** Where a launch downloads as a scenario file (GET, so a plain link with `download`). */
export const launchScenarioURL = (launch: string) => `/api/launches/${encodeURIComponent(launch)}/scenario`;
