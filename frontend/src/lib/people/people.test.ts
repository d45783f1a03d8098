import { describe, expect, it } from 'vitest';
import type { EncounterSummary } from '../api';
import { encounterLabel, encounterPeriod, parseUserRef, practitionerDetail, recordedTime } from './people';

describe('parseUserRef', () => {
  it('reads a full reference of an allowed type', () => {
    expect(parseUserRef(' Practitioner/dr-1 ', ['Practitioner'])).toEqual({ ok: true, user: { type: 'Practitioner', id: 'dr-1', reference: 'Practitioner/dr-1' } });
    expect(parseUserRef('Patient/p.1', ['Practitioner', 'Patient'])).toMatchObject({ ok: true, user: { reference: 'Patient/p.1' } });
  });

  it('takes a bare id as the default type', () => {
    expect(parseUserRef('dr-1', ['Practitioner'], 'Practitioner')).toMatchObject({ ok: true, user: { reference: 'Practitioner/dr-1' } });
  });

  it('refuses other types, bare ids without a default, and bad ids', () => {
    expect(parseUserRef('Patient/p1', ['Practitioner'])).toEqual({ ok: false, error: 'A reference like Practitioner/{id}.' });
    expect(parseUserRef('p1', ['Practitioner', 'Patient'])).toEqual({ ok: false, error: 'A reference like Practitioner/{id} or Patient/{id}.' });
    expect(parseUserRef('Practitioner/a b', ['Practitioner'])).toMatchObject({ ok: false, error: /letters, digits/ });
    expect(parseUserRef('Practitioner/', ['Practitioner'])).toMatchObject({ ok: false });
  });
});

describe('practitionerDetail', () => {
  it('names the NPI when there is one', () => {
    expect(practitionerDetail({ id: 'a', reference: 'Practitioner/a', name: 'Dr. A', npi: '1255554929' })).toBe('NPI 1255554929');
    expect(practitionerDetail({ id: 'a', reference: 'Practitioner/a', name: 'Dr. A', npi: '' })).toBe('no NPI');
  });
});

describe('encounterLabel', () => {
  const e: EncounterSummary = {
    id: 'e1',
    reference: 'Encounter/e1',
    status: 'finished',
    class: 'ambulatory',
    type: 'General examination of patient (procedure)',
    start: '2025-05-30T14:19:00Z',
    end: '2025-05-30T14:49:00Z',
  };

  it('says when, type (without the SNOMED semantic tag), class and status', () => {
    expect(encounterLabel(e)).toBe('2025-05-30 14:19 · General examination of patient · ambulatory · finished');
  });

  it('leaves out what is missing', () => {
    expect(encounterLabel({ ...e, start: '', type: '', class: 'IMP' })).toBe('no date · IMP · finished');
  });

  it('shows the time as recorded, without shifting its zone', () => {
    expect(recordedTime('2025-05-30T09:05:00-05:00')).toBe('2025-05-30 09:05');
    expect(recordedTime('2025-05-30')).toBe('2025-05-30');
    expect(recordedTime('soon')).toBe('soon');
  });

  it('gives the period, with the end date only when it differs', () => {
    expect(encounterPeriod(e)).toBe('2025-05-30 14:19–14:49');
    expect(encounterPeriod({ ...e, end: '2025-06-02T10:00:00Z' })).toBe('2025-05-30 14:19–2025-06-02 10:00');
    expect(encounterPeriod({ ...e, end: '' })).toBe('2025-05-30 14:19');
  });
});
