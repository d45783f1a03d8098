import { describe, expect, it } from 'vitest';
import { flowsHref, hashQuery, itemFromHash, patientHref, routeFromHash, routes } from './routes';

describe('routeFromHash', () => {
  it.each(['', '#', '#/', '#//'])('maps %j to the Dashboard', (hash) => {
    expect(routeFromHash(hash)?.id).toBe('dashboard');
  });

  it('maps each view href back to its own route', () => {
    for (const r of routes) expect(routeFromHash(r.href)).toBe(r);
  });

  it('ignores a trailing slash and a query', () => {
    expect(routeFromHash('#/apps/')?.id).toBe('apps');
    expect(routeFromHash('#/flows?launch=abc')?.id).toBe('flows');
  });

  it('returns undefined for an unknown view', () => {
    expect(routeFromHash('#/nope')).toBeUndefined();
    expect(routeFromHash('#/apps/extra')).toBeUndefined();
  });
});

describe('item pages', () => {
  it('maps #/patients/{id} to the Patients view and extracts the id', () => {
    expect(routeFromHash('#/patients/abc-123')?.id).toBe('patients');
    expect(itemFromHash('#/patients/abc-123')).toBe('abc-123');
    expect(itemFromHash('#/patients/abc-123/')).toBe('abc-123');
  });

  it('has no item on the view itself, deeper paths or views without items', () => {
    expect(itemFromHash('#/patients')).toBeUndefined();
    expect(routeFromHash('#/patients/a/b')).toBeUndefined();
    expect(itemFromHash('#/apps/x')).toBeUndefined();
  });

  it('round-trips ids through patientHref', () => {
    expect(itemFromHash(patientHref('a.b-1'))).toBe('a.b-1');
    expect(itemFromHash(patientHref('with space'))).toBe('with space');
  });
});

describe('view filters in the hash', () => {
  it('reads the query of a hash', () => {
    expect(hashQuery('#/flows?launch=abc&client=x').get('launch')).toBe('abc');
    expect(hashQuery('#/flows').get('launch')).toBeNull();
  });

  it('builds Flows links that route to Flows and carry the filter', () => {
    const href = flowsHref({ launch: 'a b&c' });
    expect(routeFromHash(href)?.id).toBe('flows');
    expect(hashQuery(href).get('launch')).toBe('a b&c');
    expect(flowsHref({})).toBe('#/flows');
  });
});
