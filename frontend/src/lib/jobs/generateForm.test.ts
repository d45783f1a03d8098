import { describe, expect, it } from 'vitest';
import { defaultFields, validateGenerate } from './generateForm';

describe('validateGenerate', () => {
  it('accepts the defaults and builds the request body', () => {
    expect(validateGenerate(defaultFields())).toEqual({ ok: true, request: { patients: 100, seed: 42, years: 10, personas: false } });
  });

  it('accepts the bounds and text from inputs', () => {
    expect(validateGenerate({ patients: '100000', seed: '-7', years: ' 1 ', personas: true })).toEqual({
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
    const v = validateGenerate({ patients: 5, seed: '9007199254740993', years: 101, personas: false });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(Object.keys(v.errors).sort()).toEqual(['seed', 'years']);
    expect(v.errors.years).toBe('Years of history must be a whole number from 1 to 100 (got 101).');
  });

  it('rejects text that is not plain digits', () => {
    expect(validateGenerate({ ...defaultFields(), patients: '1e3' }).ok).toBe(false);
  });
});
