// Practitioners and encounters — server/control/people.go
import type { PatientQuery } from './patients';
import { getJSON, type Fetch } from './request';

/** One row of GET /api/practitioners: a provider who can sign in. */
export interface PractitionerSummary {
  id: string;
  /** The fhirUser value: Practitioner/{id}. */
  reference: string;
  name: string;
  /** "" when the Practitioner has no NPI identifier. */
  npi: string;
}

export interface PractitionerPage {
  total: number;
  practitioners: PractitionerSummary[] | null;
}

/** GET /api/practitioners?q= — q is a name or an identifier such as the NPI. */
export function listPractitioners(query: PatientQuery, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PractitionerPage> {
  const params = new URLSearchParams({ count: String(query.count), offset: String(query.offset) });
  if (query.q.trim()) params.set('q', query.q.trim());
  return getJSON<PractitionerPage>(`/api/practitioners?${params}`, fetchFn, signal);
}

/** One row of GET /api/patients/{id}/encounters. */
export interface EncounterSummary {
  id: string;
  reference: string;
  status: string;
  /** The class's display, or its code (AMB, IMP, …). */
  class: string;
  /** The first type's text or display; "" when untyped. */
  type: string;
  /** RFC 3339 period start and end; "" when absent. */
  start: string;
  end: string;
}

/** GET /api/patients/{id}/encounters — most recent first. */
export async function listEncounters(patientId: string, count = 50, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<EncounterSummary[]> {
  const body = await getJSON<{ encounters: EncounterSummary[] | null }>(`/api/patients/${encodeURIComponent(patientId)}/encounters?count=${count}`, fetchFn, signal);
  return body.encounters ?? [];
}
