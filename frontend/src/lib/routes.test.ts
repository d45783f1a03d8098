import { describe, expect, it } from 'vitest';
import { routeFromHash, routes } from './routes';

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
