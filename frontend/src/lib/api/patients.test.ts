import { describe, expect, it } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { getNotes, getPatient, listPatients } from './patients';

describe('listPatients and getPatient', () => {
  it('sends q, count and offset, and leaves out an empty q', async () => {
    const f = fakeFetch(() => Response.json({ total: 0, patients: [] }));
    await listPatients({ q: ' Pérez ', count: 20, offset: 40 }, undefined, f.fn);
    await listPatients({ q: '  ', count: 20, offset: 0 }, undefined, f.fn);
    expect(f.calls.map((c) => c.url)).toEqual(['/api/patients?count=20&offset=40&q=P%C3%A9rez', '/api/patients?count=20&offset=0']);
  });

  it('escapes the id and reports a 404 with its status', async () => {
    const f = fakeFetch(() => Response.json({ error: 'no patient x/y' }, { status: 404, statusText: 'Not Found' }));
    await expect(getPatient('x/y', undefined, f.fn)).rejects.toMatchObject({ status: 404, serverMessage: 'no patient x/y' });
    expect(f.calls[0].url).toBe('/api/patients/x%2Fy');
  });

  it('gets the notes of a patient, none as an empty list', async () => {
    const note = { id: 'n1', resource_type: 'DocumentReference', date: '2025-03-04', title: 'Progress note', status: 'current', content_type: 'text/plain', text: 'Hi', truncated: false, url: '' };
    const f = fakeFetch((req) => Response.json({ notes: req.url.includes('a%2Fb') ? null : [note] }));
    expect(await getNotes('p1', undefined, f.fn)).toEqual([note]);
    expect(await getNotes('a/b', undefined, f.fn)).toEqual([]);
    expect(f.calls.map((c) => c.url)).toEqual(['/api/patients/p1/notes', '/api/patients/a%2Fb/notes']);
  });
});
