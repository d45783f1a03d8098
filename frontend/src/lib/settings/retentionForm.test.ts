import { describe, expect, it } from 'vitest';
import { retentionChanged, retentionFields, retentionServerErrors, shownRetentionErrors, validateRetention } from './retentionForm';

const saved = { events_days: 7, events_max: 100_000, audit_days: 30 };

describe('validateRetention', () => {
  it('accepts the server’s values, zeros (no bound), the limits and text from inputs', () => {
    expect(validateRetention(retentionFields(saved))).toEqual({ ok: true, retention: saved });
    expect(validateRetention({ events_days: 0, events_max: '100000000', audit_days: ' 36500 ' })).toEqual({
      ok: true,
      retention: { events_days: 0, events_max: 100_000_000, audit_days: 36_500 },
    });
  });

  it.each([
    [-1, 'Cannot be negative (0 for no limit).'],
    ['-5', 'Cannot be negative (0 for no limit).'],
    [100_000_001, 'At most 100,000,000 events (0 for no limit).'],
    [2.5, 'Enter a whole number (0 for no limit).'],
    ['', 'Enter a whole number (0 for no limit).'],
    [null, 'Enter a whole number (0 for no limit).'],
    ['1e3', 'Enter a whole number (0 for no limit).'],
  ])('refuses events_max = %j', (events_max, message) => {
    expect(validateRetention({ ...saved, events_max })).toEqual({ ok: false, errors: { events_max: message } });
  });

  it('says what is wrong with each input at once, in its unit', () => {
    expect(validateRetention({ events_days: 36_501, events_max: 5, audit_days: -2 })).toEqual({
      ok: false,
      errors: { events_days: 'At most 36,500 days (0 for no limit).', audit_days: 'Cannot be negative (0 for no limit).' },
    });
  });
});

describe('retentionChanged', () => {
  it('compares the numbers the inputs hold with what the server keeps', () => {
    expect(retentionChanged(retentionFields(saved), saved)).toBe(false);
    expect(retentionChanged({ ...saved, events_max: '100000' }, saved)).toBe(false);
    expect(retentionChanged({ ...saved, events_max: 5000 }, saved)).toBe(true);
    expect(retentionChanged({ ...saved, audit_days: null }, saved)).toBe(true);
  });
});

describe('retentionServerErrors', () => {
  it('puts a refusal next to the input its field names, the rest under the form', () => {
    expect(retentionServerErrors('events_max must be between 0 (no bound) and 100000000 (got -1)', 'events_max')).toEqual({
      events_max: 'events_max must be between 0 (no bound) and 100000000 (got -1)',
    });
    expect(retentionServerErrors('audit_days is wrong', 'audit_days')).toEqual({ audit_days: 'audit_days is wrong' });
    expect(retentionServerErrors('the database is read-only', undefined)).toEqual({ general: 'the database is read-only' });
    expect(retentionServerErrors('nope', 'client_id')).toEqual({ general: 'nope' });
  });
});

describe('shownRetentionErrors', () => {
  const sent = { events_days: 7, events_max: 500, audit_days: 30 };
  const refusal = { sent, errors: { events_max: 'events_max is too small for this server' } };

  it('shows the refusal next to its input while it holds the value refused', () => {
    expect(shownRetentionErrors(retentionFields(sent), refusal)).toEqual({ events_max: 'events_max is too small for this server' });
    expect(shownRetentionErrors({ ...sent, events_max: '500' }, refusal)).toEqual({ events_max: 'events_max is too small for this server' });
  });

  it('drops it once that input changes; other inputs changing keep it', () => {
    expect(shownRetentionErrors({ ...sent, events_max: 600 }, refusal)).toEqual({});
    expect(shownRetentionErrors({ ...sent, audit_days: 31 }, refusal)).toEqual({ events_max: 'events_max is too small for this server' });
  });

  it('shows what the input holds now before an older refusal', () => {
    expect(shownRetentionErrors({ ...sent, events_max: -1 }, refusal)).toEqual({ events_max: 'Cannot be negative (0 for no limit).' });
    expect(shownRetentionErrors({ ...saved, audit_days: -1 }, null)).toEqual({ audit_days: 'Cannot be negative (0 for no limit).' });
  });

  it('keeps a refusal about no one input until the form changes', () => {
    const general = { sent, errors: { general: 'the database is read-only' } };
    expect(shownRetentionErrors(retentionFields(sent), general)).toEqual({ general: 'the database is read-only' });
    expect(shownRetentionErrors({ ...sent, events_days: 8 }, general)).toEqual({});
  });
});
