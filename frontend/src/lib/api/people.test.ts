import { describe, expect, it } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { listEncounters, listPractitioners } from './people';

describe('listPractitioners and listEncounters', () => {
  it('searches practitioners and lists a patient’s encounters', async () => {
    const r = fakeFetch(() => Response.json({ total: 0, practitioners: null, encounters: null }));
    await listPractitioners({ q: ' 1255554929 ', count: 20, offset: 0 }, undefined, r.fn);
    expect(await listEncounters('p/1', 50, undefined, r.fn)).toEqual([]);
    expect(r.calls.map((c) => c.url)).toEqual(['/api/practitioners?count=20&offset=0&q=1255554929', '/api/patients/p%2F1/encounters?count=50']);
  });
});
