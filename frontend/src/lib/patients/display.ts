// Presentation of patient summaries: age, flags and paging. Pure, so they are unit-tested.
import type { PatientSummary } from '../api';
import { formatCount } from '../format/format';

interface PartialDate {
  y: number;
  m: number; // 1–12
  d: number;
}

/** A FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, or a dateTime); missing parts count as the first. */
export function parseFhirDate(s: string | null | undefined): PartialDate | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(s ?? '');
  if (!m) return null;
  return { y: Number(m[1]), m: m[2] ? Number(m[2]) : 1, d: m[3] ? Number(m[3]) : 1 };
}

/** Whole months from birth to `on` (calendar months, counting a month only once its day is reached). */
function monthsBetween(from: PartialDate, to: PartialDate): number {
  let months = (to.y - from.y) * 12 + (to.m - from.m);
  if (to.d < from.d) months -= 1;
  return months;
}

/** The day of a FHIR date or dateTime ("2019-06-01T10:00:00-05:00" → "2019-06-01"), as written. */
export function fhirDay(s: string): string {
  return /^\d{4}(-\d{2}(-\d{2})?)?/.exec(s)?.[0] ?? s;
}

const today = (now: Date): PartialDate => ({ y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() });

/**
 * Age as clinicians write it: "54 y", "8 mo" under two years, "12 d" under a month. For a deceased
 * patient with a date of death, the age at death. "" when the birth date is unknown or in the future.
 */
export function formatAge(birthDate: string, deceasedDate: string, now: Date): string {
  const birth = parseFhirDate(birthDate);
  if (!birth) return '';
  const end = parseFhirDate(deceasedDate) ?? today(now);
  const months = monthsBetween(birth, end);
  if (months < 0) return '';
  if (months >= 24) return `${Math.floor(months / 12)} y`;
  if (months >= 1) return `${months} mo`;
  const days = Math.round((Date.UTC(end.y, end.m - 1, end.d) - Date.UTC(birth.y, birth.m - 1, birth.d)) / 86_400_000);
  return days >= 0 ? `${days} d` : '';
}

export function genderLabel(g: string): string {
  return g ? g[0].toUpperCase() + g.slice(1) : '—';
}

export interface Flag {
  kind: 'deceased' | 'portal' | 'persona' | 'tag';
  label: string;
  title: string;
}

/** Badges for a patient: deceased, portal user, then personas and other tags as the server sent them. */
export function patientFlags(p: PatientSummary): Flag[] {
  const flags: Flag[] = [];
  if (p.deceased) flags.push({ kind: 'deceased', label: 'Deceased', title: p.deceased_date ? `Died ${fhirDay(p.deceased_date)}` : 'Deceased' });
  if (p.portal_user) flags.push({ kind: 'portal', label: 'Portal user', title: 'Can sign in to the patient portal (patient-facing launches)' });
  for (const tag of p.tags ?? []) {
    // Valet's own tag for portal users duplicates portal_user, already a badge.
    if (tag === 'portal-user') continue;
    const persona = /^persona[:-](.+)$/.exec(tag);
    if (persona) flags.push({ kind: 'persona', label: persona[1].replace(/[-_]/g, ' '), title: `Edge-case persona: ${tag}` });
    else flags.push({ kind: 'tag', label: tag, title: tag });
  }
  return flags;
}

export interface PageInfo {
  /** 1-based index of the first row shown, 0 when there are none. */
  from: number;
  to: number;
  hasPrev: boolean;
  hasNext: boolean;
  prevOffset: number;
  nextOffset: number;
  label: string;
}

export function pageInfo(total: number, offset: number, count: number, shown: number): PageInfo {
  const from = shown > 0 ? offset + 1 : 0;
  const to = offset + shown;
  return {
    from,
    to,
    hasPrev: offset > 0,
    hasNext: to < total,
    prevOffset: Math.max(0, offset - count),
    nextOffset: offset + count,
    label: shown > 0 ? `${formatCount(from)}–${formatCount(to)} of ${formatCount(total)}` : `0 of ${formatCount(total)}`,
  };
}
