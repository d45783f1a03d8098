// The Generate form's fields and their validation. The server validates too (its 400 message is shown
// as is, next to the field it names); checking here first gives the answer before any request.
import { GENERATE_REQUEST_FIELDS, isFieldOf, type ApiField, type GenerateRequest, type GenerateRequestField } from '../api';
import { wholeNumber } from '../format/format';

export const PATIENTS_MAX = 100_000;
export const YEARS_MAX = 100;

/** What the inputs hold: numbers from number inputs (null when empty or unparseable), or raw text. */
export interface GenerateFields {
  patients: number | string | null | undefined;
  seed: number | string | null | undefined;
  years: number | string | null | undefined;
  personas: boolean;
  /** The data's "now" from a date input: YYYY-MM-DD, or empty for the server's fixed default. */
  asOf: string;
}

export const defaultFields = (): GenerateFields => ({ patients: 100, seed: 42, years: 10, personas: false, asOf: '' });

export type FieldErrors = Partial<Record<'patients' | 'seed' | 'years' | 'asOf', string>>;
/** The form's errors with the server's: `general` is a refusal about no one input (or a Reset's). */
export type GenerateErrors = FieldErrors & { general?: string };

export type Validation = { ok: true; request: GenerateRequest } | { ok: false; errors: FieldErrors };

/** An integer from an input's value, or null when it is empty or not a whole number. */
function inRange(v: GenerateFields['patients'], what: string, min: number, max: number): [number, undefined] | [null, string] {
  const n = wholeNumber(v);
  const range = `${what} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  if (n === null) return [null, `${range}.`];
  if (n < min || n > max) return [null, `${range} (got ${n.toLocaleString('en-US')}).`];
  return [n, undefined];
}

export function validateGenerate(f: GenerateFields): Validation {
  const errors: FieldErrors = {};
  const [patients, pErr] = inRange(f.patients, 'Patients', 1, PATIENTS_MAX);
  const [years, yErr] = inRange(f.years, 'Years of history', 1, YEARS_MAX);
  const seed = wholeNumber(f.seed);
  if (pErr) errors.patients = pErr;
  if (yErr) errors.years = yErr;
  // Seeds go to Go as an int64; beyond 2^53 JSON numbers would silently lose digits in the browser.
  if (seed === null) errors.seed = 'Seed must be a whole number (the same seed gives the same patients).';
  const asOf = f.asOf.trim();
  if (asOf !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) errors.asOf = 'As of must be a date (YYYY-MM-DD), or empty for the default.';
  if (patients === null || years === null || seed === null || errors.asOf) return { ok: false, errors };
  const request: GenerateRequest = { patients, seed, years, personas: f.personas };
  if (asOf !== '') request.as_of = asOf;
  return { ok: true, request };
}

/** Where a refusal of each member of the Generate body shows. */
const GENERATE_FIELD_SLOTS: Record<GenerateRequestField, keyof FieldErrors | 'general'> = {
  patients: 'patients',
  seed: 'seed',
  years: 'years',
  personas: 'general',
  as_of: 'asOf',
};

/** Where the server's refusal of a Generate (or Reset) shows: next to the input its `field` names, else under the form. */
export function generateServerErrors(message: string, field: ApiField | undefined): GenerateErrors {
  return { [isFieldOf(GENERATE_REQUEST_FIELDS, field) ? GENERATE_FIELD_SLOTS[field] : 'general']: message };
}
