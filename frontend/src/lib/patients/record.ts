// Presentation of what a patient's record holds: the profiles of each type, and the clinical notes. Pure,
// so they are unit-tested.
import type { ClinicalNote, ProfileCount } from '../api';
import { fhirDay } from './display';

/** A US Core profile's title as a chart row says it: "US Core Pulse Oximetry Profile" → "US Core Pulse Oximetry". */
export function profileLabel(p: ProfileCount): string {
  if (!p.title) return p.profile;
  return p.title.replace(/ Profile$/, '').replace(/ Profile for /, ' for ');
}

export interface ProfileLine {
  label: string;
  /** The profile's URL, for a hover title. */
  title: string;
  count: number;
}

/** The profile lines under each resource type of the counts table, in the server's order. */
export function profileBreakdown(profiles: ProfileCount[] | null | undefined): Record<string, ProfileLine[]> {
  const out: Record<string, ProfileLine[]> = {};
  for (const p of profiles ?? []) (out[p.type] ??= []).push({ label: profileLabel(p), title: p.profile, count: p.count });
  return out;
}

/** What kind of record a note is: a document, or the report it was written as. */
export function noteKind(n: ClinicalNote): string {
  return n.resource_type === 'DiagnosticReport' ? 'Report' : 'Document';
}

/** The one line a collapsed note shows: its day, its kind of note, and a status other than the usual. */
export function noteSummary(n: ClinicalNote): string {
  const day = n.date ? fhirDay(n.date) : 'Undated';
  const usual = n.status === 'current' || n.status === 'final' || n.status === '';
  return `${day} · ${n.title || 'Untitled note'}${usual ? '' : ` (${n.status})`}`;
}

/** Why a note shows no text: where its content is instead. */
export function noTextReason(n: ClinicalNote): string {
  if (n.url) return `The content is at ${n.url}${n.content_type ? ` (${n.content_type})` : ''}.`;
  if (n.content_type) return `The content is ${n.content_type}, not text.`;
  return 'This note has no content.';
}
