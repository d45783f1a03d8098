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

/** How many of the record's resources claim a profile in meta.profile. */
export interface ProfileCount {
  /** The profile's canonical URL. */
  profile: string;
  /** Resource type and title of a US Core profile; "" for other profiles. */
  type: string;
  title: string;
  count: number;
}

export interface PatientDetail {
  patient: PatientSummary;
  /** Resources per type in the patient's compartment, plus the Medications its orders reference. */
  counts: Record<string, number> | null;
  /** By resource type, then count. */
  profiles: ProfileCount[] | null;
  vitals: VitalSeries[] | null;
}

/** A clinical note: a DocumentReference or a radiology, cardiology or pathology DiagnosticReport. */
export interface ClinicalNote {
  id: string;
  resource_type: 'DocumentReference' | 'DiagnosticReport';
  /** FHIR dateTime; "" when the resource has none. */
  date: string;
  /** The kind of note (its type or code). */
  title: string;
  status: string;
  content_type: string;
  /** The note's inline text, decoded; "" when its content is a URL or not text. */
  text: string;
  truncated: boolean;
  url: string;
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

/** GET /api/patients/{id}/notes: the patient's clinical notes, most recent first. */
export async function getNotes(id: string, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<ClinicalNote[]> {
  const r = await getJSON<{ notes: ClinicalNote[] | null }>(`/api/patients/${encodeURIComponent(id)}/notes`, fetchFn, signal);
  return r.notes ?? [];
}
