import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { clearEvents, getRetention, getStorage, getStorageUsage, setRetention, type Storage } from './storage';

const storage: Storage = {
  database_bytes: 4_218_880,
  events: 37,
  retention: { events_days: 7, events_max: 100_000, audit_days: 30 },
  last_prune: { started: '2026-11-27T00:10:00Z', seconds: 0.012, removed: { events: 12, grants: 3 } },
};

describe('getStorage and getStorageUsage', () => {
  it('reads /api/storage as is', async () => {
    const r = fakeFetch(() => Response.json(storage));
    expect(await getStorage(undefined, r.fn)).toEqual(storage);
    expect(r.calls[0]).toMatchObject({ url: '/api/storage', method: 'GET' });
  });

  it('returns the tables of /api/storage/usage, and none for a null list', async () => {
    const tables = [
      { table: 'resources', bytes: 3_000_000 },
      { table: 'events', bytes: 40_960 },
    ];
    const r = fakeFetch((c) => Response.json({ tables: c.url === '/api/storage/usage' ? tables : null }));
    expect(await getStorageUsage(undefined, r.fn)).toEqual(tables);
    expect(await getStorageUsage(undefined, fakeFetch(() => Response.json({ tables: null })).fn)).toEqual([]);
  });
});

describe('getRetention and setRetention', () => {
  it('PUTs every member, even zeros, and returns the echo', async () => {
    const r = fakeFetch((c) => (c.method === 'PUT' ? Response.json(JSON.parse(c.body ?? '{}')) : Response.json(storage.retention)));
    expect(await getRetention(undefined, r.fn)).toEqual(storage.retention);
    // Extra members of the value passed in (a form's state) do not go to the server.
    const input = { events_days: 0, events_max: 5000, audit_days: 0, extra: true };
    expect(await setRetention(input, r.fn)).toEqual({ events_days: 0, events_max: 5000, audit_days: 0 });
    expect(decoded(r.calls)).toEqual([
      { url: '/api/retention', method: 'GET', body: undefined },
      { url: '/api/retention', method: 'PUT', body: { events_days: 0, events_max: 5000, audit_days: 0 } },
    ]);
  });

  it('carries the member a refusal names in field', async () => {
    const r = fakeFetch(() => Response.json({ error: 'events_max must be between 0 (no bound) and 100000000 (got -1)', field: 'events_max' }, { status: 400 }));
    await expect(setRetention({ events_days: 7, events_max: -1, audit_days: 30 }, r.fn)).rejects.toMatchObject({
      status: 400,
      field: 'events_max',
      serverMessage: 'events_max must be between 0 (no bound) and 100000000 (got -1)',
    });
  });
});

describe('clearEvents', () => {
  it('DELETEs /api/events and returns how many went', async () => {
    const r = fakeFetch(() => Response.json({ removed: 37 }));
    expect(await clearEvents(r.fn)).toBe(37);
    expect(r.calls[0]).toMatchObject({ url: '/api/events', method: 'DELETE', body: undefined });
  });
});
