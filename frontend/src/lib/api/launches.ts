// EHR launches — server/auth/launches.go
import { request, type Fetch } from './request';

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
}

/** The created launch: the app is opened at `url` (its launch URL with iss and launch). */
export interface Launch {
  launch: string;
  iss: string;
  url: string;
}

export async function createLaunch(input: LaunchInput, fetchFn: Fetch = fetch): Promise<Launch> {
  return (await request('POST', '/api/launches', fetchFn, { body: input })).body as Launch;
}
