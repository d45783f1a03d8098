// Login identities and encounters as the pickers show them: user references typed by hand, practitioner
// rows, and one line per encounter for the Launch view's encounter picker.
import type { EncounterSummary, PractitionerSummary, UserType } from '../api';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export type UserRef = { type: UserType; id: string; reference: string };

/**
 * Reads a typed user reference: "Practitioner/dr-1", "Patient/p1", or a bare id taken as `bareAs`.
 * Only the types in `allowed` pass. Returns the reference or a message for the field.
 */
export function parseUserRef(text: string, allowed: readonly UserType[], bareAs?: UserType): { ok: true; user: UserRef } | { ok: false; error: string } {
  const s = text.trim();
  const slash = s.indexOf('/');
  const type = slash < 0 ? bareAs : s.slice(0, slash);
  const id = slash < 0 ? s : s.slice(slash + 1);
  const shape = allowed.map((t) => `${t}/{id}`).join(' or ');
  if (!type || !(allowed as readonly string[]).includes(type)) return { ok: false, error: `A reference like ${shape}.` };
  if (!FHIR_ID.test(id)) return { ok: false, error: `A ${type} id: letters, digits, - and . (up to 64).` };
  return { ok: true, user: { type: type as UserType, id, reference: `${type}/${id}` } };
}

/** The second line of a practitioner row: NPI and reference. */
export const practitionerDetail = (p: PractitionerSummary): string => (p.npi ? `NPI ${p.npi}` : 'no NPI');

/** SNOMED CT displays end in a semantic tag, "(procedure)", which says nothing to a person picking a visit. */
export const withoutSemanticTag = (s: string): string => s.replace(/\s*\((procedure|finding|situation|regime\/therapy|observable entity)\)$/, '');

/** "2025-05-30 14:19" from an RFC 3339 time as recorded (no time-zone shift: the chart's own clock). */
export function recordedTime(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(t);
  if (!m) return t;
  return m[2] ? `${m[1]} ${m[2]}` : m[1];
}

/** One line per encounter: when, type, class, status — "2025-05-30 14:19 · General examination of patient · ambulatory · finished". */
export function encounterLabel(e: EncounterSummary): string {
  return [e.start ? recordedTime(e.start) : 'no date', withoutSemanticTag(e.type), e.class, e.status].filter(Boolean).join(' · ');
}

/** "2025-05-30 14:19–14:49" (the end's date only when it differs); just the start while it has no end. */
export function encounterPeriod(e: EncounterSummary): string {
  const start = e.start ? recordedTime(e.start) : '';
  if (!e.end) return start;
  const end = recordedTime(e.end);
  return `${start}–${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) || end : end}`;
}
