// EHR launches — server/auth/launches.go
import { request, type Fetch } from './request';
import type { Simulation, SimulationInput } from './simulations';

/** Body of POST /api/launches; empty strings and undefined are left out of the request. */
export interface LaunchInput {
  client_id: string;
  patient?: string;
  encounter?: string;
  /** Practitioner/{id} or Patient/{id}: signed in without the login page. */
  user?: string;
  /** Overrides the app's registered launch URL for this launch. */
  launch_uri?: string;
  intent?: string;
  /** SMART 2.2: an array of objects with reference, canonical or identifier. */
  fhir_context?: unknown[];
  need_patient_banner?: boolean;
  smart_style_url?: string;
  auto_approve?: boolean;
  /** Simulated failures set on this launch only (without client_id and launch). */
  simulations?: SimulationInput[];
}

/** The created launch: the app is opened at `url` (its launch URL with iss and launch). */
export interface Launch {
  launch: string;
  iss: string;
  url: string;
  /** The simulations set with it, with their ids. */
  simulations?: Simulation[];
}

export async function createLaunch(input: LaunchInput, fetchFn: Fetch = fetch): Promise<Launch> {
  return (await request('POST', '/api/launches', fetchFn, { body: input })).body as Launch;
}
