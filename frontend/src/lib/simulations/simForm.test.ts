import { describe, expect, it } from 'vitest';
import type { SimKind } from '../api';
import { emptySimFields, kindGroups, ordinal, paramsLabel, pointsFor, simFieldOf, validateSim, whenLabel } from './simForm';

const kinds: SimKind[] = [
  { kind: 'authorize.access_denied', point: 'authorize', description: '' },
  { kind: 'authorize.consent_subset', point: 'authorize', description: '', params: ['scope'], required: ['scope'] },
  { kind: 'token.slow', point: 'token', description: '', params: ['delay_ms'], required: ['delay_ms'] },
  { kind: 'fhir.rate_limited', point: 'fhir', description: '', params: ['retry_after'] },
  { kind: 'fhir.patient_not_found', point: 'fhir', description: '', params: ['patient'] },
];

describe('validateSim', () => {
  it('builds the body with only the parameters the kind takes', () => {
    const f = { ...emptySimFields('fhir.rate_limited'), when: 'nth' as const, n: '3', retryAfter: '30', delayMs: '500' };
    expect(validateSim(f, kinds)).toEqual({ ok: true, input: { kind: 'fhir.rate_limited', when: 'nth', n: 3, retry_after: 30 } });
    expect(validateSim({ ...emptySimFields('fhir.patient_not_found'), patient: 'Patient/p1' }, kinds)).toEqual({
      ok: true,
      input: { kind: 'fhir.patient_not_found', when: 'once', patient: 'p1' },
    });
  });

  it('refuses what the server would, next to the input', () => {
    expect(validateSim(emptySimFields(''), kinds)).toEqual({ ok: false, errors: { kind: expect.any(String) } });
    expect(validateSim({ ...emptySimFields('token.slow'), delayMs: '0' }, kinds)).toMatchObject({ ok: false, errors: { delayMs: expect.any(String) } });
    expect(validateSim({ ...emptySimFields('token.slow'), when: 'nth', n: 'x' }, kinds)).toMatchObject({ ok: false, errors: { n: expect.any(String) } });
    expect(validateSim(emptySimFields('authorize.consent_subset'), kinds)).toMatchObject({ ok: false, errors: { scope: expect.any(String) } });
    expect(validateSim({ ...emptySimFields('authorize.consent_subset'), scope: ' openid   launch ' }, kinds)).toMatchObject({ ok: true, input: { scope: 'openid launch' } });
  });
});

describe('labels and groups', () => {
  it('says when a simulation fires', () => {
    expect(whenLabel({ when: 'once' })).toBe('once');
    expect(whenLabel({ when: 'always' })).toBe('every time');
    expect(whenLabel({ when: 'nth', n: 3 })).toBe('only the 3rd request');
    expect([1, 2, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
    expect(paramsLabel({ kind: 'x', when: 'once', delay_ms: 200, retry_after: 5 })).toBe('200 ms · Retry-After 5 s');
  });

  it('offers backend services no authorization kinds', () => {
    expect(kindGroups(kinds, pointsFor('backend-service')).map((g) => g.point)).toEqual(['token', 'fhir']);
    expect(kindGroups(kinds, pointsFor('public')).map((g) => g.kinds.length)).toEqual([2, 1, 2]);
  });

  it('maps refusals to inputs', () => {
    expect(simFieldOf('delay_ms')).toBe('delayMs');
    expect(simFieldOf('client_id')).toBe('general');
    expect(simFieldOf(undefined)).toBe('general');
  });
});
