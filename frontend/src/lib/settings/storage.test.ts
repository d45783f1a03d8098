import { describe, expect, it } from 'vitest';
import { passDuration, prunedSummary, pruneLine, tableNote, usageRows } from './storage';

describe('prunedSummary', () => {
  it('names what a pass removed in the order it removes it, singular and plural', () => {
    expect(prunedSummary({ grants: 3, events: 1200, audit_log: 1, launches: 2 })).toBe('1,200 flow events, 1 audit log entry, 3 grants, 2 launches');
  });

  it('says nothing for an empty or missing map, and leaves zeros out', () => {
    expect(prunedSummary({})).toBe('nothing');
    expect(prunedSummary(undefined)).toBe('nothing');
    expect(prunedSummary({ events: 0 })).toBe('nothing');
  });

  it('names kinds it does not know by their key, after the known ones', () => {
    expect(prunedSummary({ device_codes: 4, events: 2 })).toBe('2 flow events, 4 device codes');
  });
});

describe('passDuration', () => {
  it.each([
    [0, '< 1 ms'],
    [0.0004, '< 1 ms'],
    [0.012, '12 ms'],
    [0.9994, '999 ms'],
    [1.25, '1.3 s'],
    [42.4, '42 s'],
  ])('says %s s as %s', (s, want) => {
    expect(passDuration(s)).toBe(want);
  });
});

describe('pruneLine', () => {
  it('says when, how long, what, and any error', () => {
    const now = Date.parse('2026-11-27T00:15:00Z');
    const line = pruneLine({ started: '2026-11-27T00:10:00Z', seconds: 0.02, removed: { events: 12 }, error: 'database is locked' }, now);
    expect(line).toMatchObject({ ago: '5 min ago', took: '20 ms', removed: '12 flow events', error: 'database is locked' });
    expect(line.at).toBe(new Date('2026-11-27T00:10:00Z').toLocaleString());
    expect(pruneLine({ started: '2026-11-27T00:14:58Z', seconds: 0, removed: {} }, now)).not.toHaveProperty('error');
  });
});

describe('usageRows', () => {
  it('keeps the server’s order, sizes each table and its share of the sum', () => {
    const { rows, total } = usageRows([
      { table: 'resources', bytes: 3_000_000 },
      { table: 'idx_token', bytes: 1_000_000 },
      { table: 'clients', bytes: 0 },
    ]);
    expect(total).toBe('4.0 MB');
    expect(usageRows([{ table: 'resources', bytes: 3_000_000 }], 7_200_000).rest).toBe('4.2 MB');
    expect(rows).toEqual([
      { table: 'resources', note: 'FHIR resources', size: '3.0 MB', share: 0.75 },
      { table: 'idx_token', note: 'search index', size: '1.0 MB', share: 0.25 },
      { table: 'clients', note: undefined, size: '0 B', share: 0 },
    ]);
  });

  it('has no rows for no tables', () => {
    expect(usageRows([])).toEqual({ rows: [], total: '0 B', rest: undefined });
  });

  it('leaves the rest out when the database size is unknown or within a page of the sum', () => {
    const tables = [{ table: 'resources', bytes: 3_000_000 }];
    expect(usageRows(tables).rest).toBeUndefined();
    expect(usageRows(tables, 3_004_000).rest).toBeUndefined();
    expect(usageRows(tables, 2_000_000).rest).toBeUndefined();
  });

  it('says which tables the retention settings keep', () => {
    expect(tableNote('events')).toMatch(/flow history/);
    expect(tableNote('audit_log')).toMatch(/FHIR request log/);
    expect(tableNote('settings')).toBeUndefined();
  });
});
