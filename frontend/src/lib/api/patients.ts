import { getJSON, type Fetch } from './request';

/** One row of GET /api/patients, and the `patient` of GET /api/patients/{id}. */
export interface PatientSummary {
  id: string;
  name: string;
  family: string;
  given: string[] | null;
  gender: string;
  /** FHIR date: YYYY, YYYY-MM or YYYY-MM-DD; "" when unknown. */
  birth_date: string;
  deceased: boolean;
  deceased_date: string;
  mrn: string;
  portal_user: boolean;
  tags: string[] | null;
}

export interface PatientPage {
  total: number;
  patients: PatientSummary[] | null;
}

export interface VitalPoint {
  /** RFC 3339 time of the observation. */
  t: string;
  value: number;
}

/** One vital sign (by LOINC code) over time, points sorted by time. */
export interface VitalSeries {
  code: string;
  display: string;
  /** UCUM unit, e.g. mm[Hg], kg/m2, /min. */
  unit: string;
  points: VitalPoint[] | null;
}

export interface PatientDetail {
  patient: PatientSummary;
  counts: Record<string, number> | null;
  vitals: VitalSeries[] | null;
}

export interface PatientQuery {
  /** Name, identifier or birth date. */
  q: string;
  count: number;
  offset: number;
}

export function listPatients(query: PatientQuery, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PatientPage> {
  const params = new URLSearchParams({ count: String(query.count), offset: String(query.offset) });
  if (query.q.trim()) params.set('q', query.q.trim());
  return getJSON<PatientPage>(`/api/patients?${params}`, fetchFn, signal);
}

/** GET /api/patients/{id}; an unknown id throws an ApiError with status 404. */
export function getPatient(id: string, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<PatientDetail> {
  return getJSON<PatientDetail>(`/api/patients/${encodeURIComponent(id)}`, fetchFn, signal);
}
