// Simulated failures — server/sim, server/control/simulations.go (docs/auth.md#simulations)
import { getJSON, request, withQuery, type Fetch } from './request';

export type SimPoint = 'authorize' | 'token' | 'fhir';
export type SimWhen = 'once' | 'always' | 'nth';
export type SimParam = 'delay_ms' | 'retry_after' | 'scope' | 'patient';

/** One kind of the catalogue (GET /api/simulations/kinds). */
export interface SimKind {
  kind: string;
  point: SimPoint;
  description: string;
  params?: SimParam[] | null;
  required?: SimParam[] | null;
}

/** Body of POST /api/simulations (and an item of a launch's `simulations`). */
export interface SimulationInput {
  kind: string;
  /** The app it applies to; with neither this nor `launch` it applies to every app. */
  client_id?: string;
  launch?: string;
  when: SimWhen;
  /** For `nth`: only the Nth matching request fires. */
  n?: number;
  delay_ms?: number;
  retry_after?: number;
  scope?: string;
  patient?: string;
}

/** An active simulation, with what it has counted since Valet started. */
export interface Simulation extends SimulationInput {
  id: string;
  created_at: string;
  seen: number;
  fired: number;
}

/** Which simulations a list or a clear selects: an app's, a launch's, the global ones, or (empty) all. */
export interface SimFilter {
  client_id?: string;
  launch?: string;
  global?: boolean;
}

function filterParams(f: SimFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.client_id) p.set('client_id', f.client_id);
  if (f.launch) p.set('launch', f.launch);
  if (f.global) p.set('global', 'true');
  return p;
}

export async function listSimulations(f: SimFilter = {}, signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Simulation[]> {
  return (await getJSON<{ simulations: Simulation[] | null }>(withQuery('/api/simulations', filterParams(f)), fetchFn, signal)).simulations ?? [];
}

export async function listSimKinds(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SimKind[]> {
  return (await getJSON<{ kinds: SimKind[] | null }>('/api/simulations/kinds', fetchFn, signal)).kinds ?? [];
}

/** POST /api/simulations — a bad member is an ApiError naming it in `field`. */
export async function addSimulation(input: SimulationInput, fetchFn: Fetch = fetch): Promise<Simulation> {
  return (await request('POST', '/api/simulations', fetchFn, { body: input })).body as Simulation;
}

/** DELETE /api/simulations/{id} (204). */
export async function removeSimulation(id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', `/api/simulations/${encodeURIComponent(id)}`, fetchFn, { noBody: true });
}
