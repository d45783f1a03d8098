import { describe, expect, it } from 'vitest';
import { defaultFields, generateServerErrors, validateGenerate } from './generateForm';

describe('validateGenerate', () => {
  it('accepts the defaults and builds the request body', () => {
    expect(validateGenerate(defaultFields())).toEqual({ ok: true, request: { patients: 100, seed: 42, years: 10, personas: false } });
  });

  it('accepts the bounds and text from inputs', () => {
    expect(validateGenerate({ patients: '100000', seed: '-7', years: ' 1 ', personas: true, asOf: '' })).toEqual({
      ok: true,
      request: { patients: 100000, seed: -7, years: 1, personas: true },
    });
  });

  it.each([
    [0, 'Patients must be a whole number from 1 to 100,000 (got 0).'],
    [100001, 'Patients must be a whole number from 1 to 100,000 (got 100,001).'],
    [2.5, 'Patients must be a whole number from 1 to 100,000.'],
    [null, 'Patients must be a whole number from 1 to 100,000.'],
    ['', 'Patients must be a whole number from 1 to 100,000.'],
  ])('rejects patients = %j', (patients, message) => {
    const v = validateGenerate({ ...defaultFields(), patients });
    expect(v).toEqual({ ok: false, errors: { patients: message } });
  });

  it('rejects years outside 1–100 and a seed that is not a safe integer, all at once', () => {
    const v = validateGenerate({ patients: 5, seed: '9007199254740993', years: 101, personas: false, asOf: '' });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(Object.keys(v.errors).sort()).toEqual(['seed', 'years']);
    expect(v.errors.years).toBe('Years of history must be a whole number from 1 to 100 (got 101).');
  });

  it('sends as_of only when a date is given, and rejects anything else', () => {
    expect(validateGenerate({ ...defaultFields(), asOf: '2025-06-30' })).toEqual({
      ok: true,
      request: { patients: 100, seed: 42, years: 10, personas: false, as_of: '2025-06-30' },
    });
    expect(validateGenerate({ ...defaultFields(), asOf: '30/06/2025' })).toEqual({
      ok: false,
      errors: { asOf: 'As of must be a date (YYYY-MM-DD), or empty for the default.' },
    });
  });

  it('rejects text that is not plain digits', () => {
    expect(validateGenerate({ ...defaultFields(), patients: '1e3' }).ok).toBe(false);
  });
});

describe('generateServerErrors', () => {
  it('puts a refusal next to the input its field names', () => {
    expect(generateServerErrors('patients must be between 0 and 100000 (got 200000)', 'patients')).toEqual({ patients: 'patients must be between 0 and 100000 (got 200000)' });
    expect(generateServerErrors('seed must be a whole number', 'seed')).toEqual({ seed: 'seed must be a whole number' });
    expect(generateServerErrors('years must be between 1 and 100', 'years')).toEqual({ years: 'years must be between 1 and 100' });
    expect(generateServerErrors('as_of must be a date YYYY-MM-DD', 'as_of')).toEqual({ asOf: 'as_of must be a date YYYY-MM-DD' });
  });

  it('shows the rest under the form: no field, a checkbox, another request’s field', () => {
    expect(generateServerErrors('generation is not available', undefined)).toEqual({ general: 'generation is not available' });
    expect(generateServerErrors('personas cannot be generated here', 'personas')).toEqual({ general: 'personas cannot be generated here' });
    expect(generateServerErrors('nope', 'client_id')).toEqual({ general: 'nope' });
  });
});
