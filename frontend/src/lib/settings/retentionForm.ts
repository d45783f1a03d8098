// The Settings view's retention form: three bounds, checked as they are typed against the limits the server
// has too (server/wire Retention.Validate: 0 turns a bound off; no negative or absurd values), and where the
// server's own refusal shows: next to the input of the member its `field` names, while that input still
// holds the value the server refused.
import { isFieldOf, RETENTION_FIELDS, type ApiField, type Retention, type RetentionField } from '../api';
import { wholeNumber } from '../format/format';

/** The largest value the server takes for each member. */
export const RETENTION_MAX: Record<RetentionField, number> = { events_days: 36_500, events_max: 100_000_000, audit_days: 36_500 };

const UNIT: Record<RetentionField, string> = { events_days: 'days', events_max: 'events', audit_days: 'days' };

/** What the number inputs hold: a number, null when empty or unparseable, or text. */
export type RetentionFields = Record<RetentionField, number | string | null | undefined>;

export const retentionFields = (r: Retention): RetentionFields => ({ events_days: r.events_days, events_max: r.events_max, audit_days: r.audit_days });

export type RetentionErrors = Partial<Record<RetentionField | 'general', string>>;

/** An integer from an input's value, or null when it is empty or not a whole number. */
export type RetentionValidation = { ok: true; retention: Retention } | { ok: false; errors: RetentionErrors };

export function validateRetention(f: RetentionFields): RetentionValidation {
  const errors: RetentionErrors = {};
  const out: Partial<Retention> = {};
  for (const name of RETENTION_FIELDS) {
    const n = wholeNumber(f[name]);
    const max = RETENTION_MAX[name];
    if (n === null) errors[name] = 'Enter a whole number (0 for no limit).';
    else if (n < 0) errors[name] = 'Cannot be negative (0 for no limit).';
    else if (n > max) errors[name] = `At most ${max.toLocaleString('en-US')} ${UNIT[name]} (0 for no limit).`;
    else out[name] = n;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, retention: out as Retention };
}

/** Whether the form holds other values than `saved` (what the server keeps now). */
export function retentionChanged(f: RetentionFields, saved: Retention): boolean {
  return RETENTION_FIELDS.some((name) => wholeNumber(f[name]) !== saved[name]);
}

/** A refusal of PUT /api/retention, with the values it refused. */
export interface RetentionRefusal {
  sent: Retention;
  errors: RetentionErrors;
}

/** Where the server's refusal shows: next to the input its `field` names, else under the form. */
export function retentionServerErrors(message: string, field: ApiField | undefined): RetentionErrors {
  return { [isFieldOf(RETENTION_FIELDS, field) ? field : 'general']: message };
}

/**
 * The errors to show: what the inputs hold now fails first; a refusal by the server stays next to its
 * input while that input still holds the value refused (once changed, the refusal is about nothing on screen),
 * and a refusal about no one input while the form still holds what was sent.
 */
export function shownRetentionErrors(f: RetentionFields, refusal: RetentionRefusal | null): RetentionErrors {
  const v = validateRetention(f);
  const shown: RetentionErrors = v.ok ? {} : { ...v.errors };
  if (!refusal) return shown;
  for (const name of RETENTION_FIELDS) {
    const refused = refusal.errors[name];
    if (refused && !shown[name] && wholeNumber(f[name]) === refusal.sent[name]) shown[name] = refused;
  }
  if (refusal.errors.general && !retentionChanged(f, refusal.sent)) shown.general = refusal.errors.general;
  return shown;
}
