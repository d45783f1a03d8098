import { describe, expect, it } from 'vitest';
import type { ClinicalNote } from '../api';
import { noTextReason, noteKind, noteSummary, profileBreakdown, profileLabel } from './record';

const note = (n: Partial<ClinicalNote>): ClinicalNote => ({
  id: 'n', resource_type: 'DocumentReference', date: '', title: '', status: 'current', content_type: '', text: '', truncated: false, url: '', ...n,
});

describe('profiles and notes in the chart', () => {
  it('shortens US Core titles and keeps other profiles as URLs', () => {
    expect(profileLabel({ profile: 'u', type: 'Observation', title: 'US Core Pulse Oximetry Profile', count: 1 })).toBe('US Core Pulse Oximetry');
    expect(profileLabel({ profile: 'u', type: 'DiagnosticReport', title: 'US Core DiagnosticReport Profile for Report and Note Exchange', count: 1 })).toBe(
      'US Core DiagnosticReport for Report and Note Exchange',
    );
    expect(profileLabel({ profile: 'http://example.org/p', type: '', title: '', count: 2 })).toBe('http://example.org/p');
  });

  it('groups profile lines under their type, keeping the order', () => {
    const b = profileBreakdown([
      { profile: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab', type: 'Observation', title: 'US Core Laboratory Result Observation Profile', count: 40 },
      { profile: 'http://example.org/mine', type: 'Observation', title: '', count: 3 },
      { profile: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient', type: 'Patient', title: 'US Core Patient Profile', count: 1 },
    ]);
    expect(Object.keys(b)).toEqual(['Observation', 'Patient']);
    expect(b.Observation.map((l) => `${l.label} ${l.count}`)).toEqual(['US Core Laboratory Result Observation 40', 'http://example.org/mine 3']);
    expect(b.Patient[0]).toEqual({ label: 'US Core Patient', title: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient', count: 1 });
    expect(profileBreakdown(null)).toEqual({});
  });

  it('summarizes a note by day, kind and unusual status', () => {
    expect(noteSummary(note({ date: '2025-03-04T10:00:00-05:00', title: 'Progress note' }))).toBe('2025-03-04 · Progress note');
    expect(noteSummary(note({ status: 'superseded', title: 'Discharge summary' }))).toBe('Undated · Discharge summary (superseded)');
    expect(noteSummary(note({ resource_type: 'DiagnosticReport', status: 'final' }))).toBe('Undated · Untitled note');
    expect(noteKind(note({ resource_type: 'DiagnosticReport' }))).toBe('Report');
    expect(noteKind(note({}))).toBe('Document');
  });

  it('says where the content is when there is no text', () => {
    expect(noTextReason(note({ url: 'http://x/n.pdf', content_type: 'application/pdf' }))).toBe('The content is at http://x/n.pdf (application/pdf).');
    expect(noTextReason(note({ content_type: 'image/png' }))).toBe('The content is image/png, not text.');
    expect(noTextReason(note({}))).toBe('This note has no content.');
  });
});
