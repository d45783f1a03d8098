import { describe, expect, it } from 'vitest';
import type { PatientSummary } from '../api';
import { fhirDay, formatAge, genderLabel, pageInfo, parseFhirDate, patientFlags } from './display';

const now = new Date(2026, 10, 26); // 26 Nov 2026, local time like the panel

describe('parseFhirDate', () => {
  it('reads full and partial dates and dateTimes', () => {
    expect(parseFhirDate('1970-03-02')).toEqual({ y: 1970, m: 3, d: 2 });
    expect(parseFhirDate('1970-03')).toEqual({ y: 1970, m: 3, d: 1 });
    expect(parseFhirDate('1970')).toEqual({ y: 1970, m: 1, d: 1 });
    expect(parseFhirDate('2019-06-01T10:00:00Z')).toEqual({ y: 2019, m: 6, d: 1 });
    expect(parseFhirDate('')).toBeNull();
  });
});

describe('formatAge', () => {
  it('counts whole years, turning over on the birthday', () => {
    expect(formatAge('1970-11-26', '', now)).toBe('56 y');
    expect(formatAge('1970-11-27', '', now)).toBe('55 y');
  });

  it('uses months under two years and days under one month', () => {
    expect(formatAge('2025-03-01', '', now)).toBe('20 mo');
    expect(formatAge('2026-11-23', '', now)).toBe('3 d');
  });

  it('gives the age at death for a deceased patient', () => {
    expect(formatAge('1940-05-01', '2019-06-01T10:00:00Z', now)).toBe('79 y');
  });

  it('is empty for an unknown or future birth date', () => {
    expect(formatAge('', '', now)).toBe('');
    expect(formatAge('2030-01-01', '', now)).toBe('');
  });
});

const patient = (over: Partial<PatientSummary> = {}): PatientSummary => ({
  id: 'p1',
  name: 'Ana María Pérez',
  family: 'Pérez',
  given: ['Ana', 'María'],
  gender: 'female',
  birth_date: '1970-03-02',
  deceased: false,
  deceased_date: '',
  mrn: 'MRN-1234',
  portal_user: false,
  tags: [],
  ...over,
});

describe('patientFlags', () => {
  it('is empty for an ordinary patient', () => {
    expect(patientFlags(patient({ tags: null }))).toEqual([]);
  });

  it('lists deceased, portal user, personas and other tags in that order', () => {
    const flags = patientFlags(
      patient({ deceased: true, deceased_date: '2020-01-01T08:30:00-05:00', portal_user: true, tags: ['portal-user', 'persona:no-clinical-data', 'persona-long-name', 'vip'] }),
    );
    expect(flags.map((f) => [f.kind, f.label])).toEqual([
      ['deceased', 'Deceased'],
      ['portal', 'Portal user'],
      ['persona', 'no clinical data'],
      ['persona', 'long name'],
      ['tag', 'vip'],
    ]);
    expect(flags[0].title).toBe('Died 2020-01-01');
  });
});

describe('genderLabel', () => {
  it('capitalises, and shows a dash when missing', () => {
    expect(genderLabel('female')).toBe('Female');
    expect(genderLabel('')).toBe('—');
  });
});

describe('pageInfo', () => {
  it('describes the first page', () => {
    expect(pageInfo(123, 0, 20, 20)).toEqual({ from: 1, to: 20, hasPrev: false, hasNext: true, prevOffset: 0, nextOffset: 20, label: '1–20 of 123' });
  });

  it('describes the last, partial page', () => {
    const p = pageInfo(123, 120, 20, 3);
    expect(p.label).toBe('121–123 of 123');
    expect(p.hasNext).toBe(false);
    expect(p.hasPrev).toBe(true);
    expect(p.prevOffset).toBe(100);
  });

  it('describes an empty result', () => {
    expect(pageInfo(0, 0, 20, 0).label).toBe('0 of 0');
    expect(pageInfo(0, 0, 20, 0).hasNext).toBe(false);
  });
});

describe('fhirDay', () => {
  it('keeps the date part of a dateTime as written, without shifting time zones', () => {
    expect(fhirDay('2019-06-01T23:30:00-05:00')).toBe('2019-06-01');
    expect(fhirDay('2019-06')).toBe('2019-06');
    expect(fhirDay('')).toBe('');
  });
});
