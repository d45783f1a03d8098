import { describe, expect, it } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { deleteExport, listExports, listGroups } from './exports';

describe('exports and groups', () => {
  it('lists exports and groups, an absent list as empty', async () => {
    const f = fakeFetch((c) => Response.json(c.url === '/api/exports' ? { exports: null } : { groups: [{ id: 'g', name: 'All', type: 'person', members: 2, total: 3 }] }));
    expect(await listExports(undefined, f.fn)).toEqual([]);
    expect((await listGroups(undefined, f.fn))[0].members).toBe(2);
  });

  it('deletes by escaped id and reports a 404 with its status', async () => {
    const f = fakeFetch(() => Response.json({ error: 'no such export' }, { status: 404, statusText: 'Not Found' }));
    await expect(deleteExport('a/b', f.fn)).rejects.toMatchObject({ status: 404, serverMessage: 'no such export' });
    expect(f.calls[0]).toMatchObject({ url: '/api/exports/a%2Fb', method: 'DELETE' });
  });
});
