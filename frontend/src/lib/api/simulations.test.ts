import { describe, expect, it } from 'vitest';
import { decoded, fakeFetch } from './fakeFetch';
import { ApiError } from './request';
import { addSimulation, listSimKinds, listSimulations, removeSimulation, type Simulation } from './simulations';

const sim: Simulation = { id: 's1', kind: 'fhir.rate_limited', client_id: 'app', when: 'nth', n: 3, retry_after: 5, created_at: '2026-12-08T02:00:00Z', seen: 1, fired: 0 };

describe('simulations API', () => {
  it('lists with the scope filters, and none for a null list', async () => {
    const r = fakeFetch(() => Response.json({ simulations: [sim] }));
    expect(await listSimulations({ client_id: 'app', global: true }, undefined, r.fn)).toEqual([sim]);
    expect(await listSimulations({}, undefined, r.fn)).toEqual([sim]);
    expect(r.calls.map((c) => c.url)).toEqual(['/api/simulations?client_id=app&global=true', '/api/simulations']);
    expect(await listSimulations({}, undefined, fakeFetch(() => Response.json({ simulations: null })).fn)).toEqual([]);
    expect(await listSimKinds(undefined, fakeFetch(() => Response.json({ kinds: null })).fn)).toEqual([]);
  });

  it('adds with the body as given and removes by id; a refusal names its field', async () => {
    const r = fakeFetch((c) => (c.method === 'POST' ? Response.json(sim, { status: 201 }) : new Response(null, { status: 204 })));
    const input = { kind: 'fhir.rate_limited', client_id: 'app', when: 'nth' as const, n: 3 };
    expect(await addSimulation(input, r.fn)).toEqual(sim);
    await removeSimulation('s/1', r.fn);
    expect(decoded(r.calls)).toEqual([
      { url: '/api/simulations', method: 'POST', body: input },
      { url: '/api/simulations/s%2F1', method: 'DELETE', body: undefined },
    ]);
    const refused = fakeFetch(() => Response.json({ error: 'fhir.slow needs delay_ms', field: 'delay_ms' }, { status: 400 }));
    const err = await addSimulation({ kind: 'fhir.slow', when: 'once' }, refused.fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).field).toBe('delay_ms');
  });
});
