// The simulation form's rules: which kinds an app can meet, the fields a kind takes, the POST
// /api/simulations body, and how an active simulation reads in one line (docs/auth.md#simulations).
import type { ClientType, SimKind, SimParam, SimPoint, Simulation, SimulationInput, SimWhen } from '../api';

export interface SimFields {
  kind: string;
  when: SimWhen;
  /** Text of the inputs, checked on submit. */
  n: string;
  delayMs: string;
  retryAfter: string;
  scope: string;
  patient: string;
}

export const emptySimFields = (kind = ''): SimFields => ({ kind, when: 'once', n: '3', delayMs: '2000', retryAfter: '', scope: '', patient: '' });

export type SimErrors = Partial<Record<keyof SimFields | 'general', string>>;
export type SimValidation = { ok: true; input: SimulationInput } | { ok: false; errors: SimErrors };

export const POINT_LABELS: Record<SimPoint, string> = { authorize: 'Authorization', token: 'Token endpoint', fhir: 'FHIR API' };

/** The points an app of this type reaches: backend services never use the authorization endpoint. */
export function pointsFor(type: ClientType | undefined): SimPoint[] {
  return type === 'backend-service' ? ['token', 'fhir'] : ['authorize', 'token', 'fhir'];
}

/** The kinds of the catalogue at the given points, grouped by point in the catalogue's order. */
export function kindGroups(kinds: readonly SimKind[], points: readonly SimPoint[]): { point: SimPoint; label: string; kinds: SimKind[] }[] {
  return points.map((point) => ({ point, label: POINT_LABELS[point], kinds: kinds.filter((k) => k.point === point) })).filter((g) => g.kinds.length > 0);
}

const has = (k: SimKind | undefined, p: SimParam) => !!k?.params?.includes(p);

/** Whether a kind takes a parameter (the form shows its input only then). */
export const takes = (kinds: readonly SimKind[], kind: string, p: SimParam) => has(kinds.find((k) => k.kind === kind), p);

const WHOLE = /^\d+$/;

/** Checks the form and builds the request body; scope members (client_id, launch) are the caller's. */
export function validateSim(f: SimFields, kinds: readonly SimKind[]): SimValidation {
  const errors: SimErrors = {};
  const k = kinds.find((x) => x.kind === f.kind);
  if (!k) return { ok: false, errors: { kind: 'Pick what to simulate.' } };
  const input: SimulationInput = { kind: k.kind, when: f.when };
  if (f.when === 'nth') {
    if (!WHOLE.test(f.n.trim()) || Number(f.n) < 1) errors.n = 'A whole number from 1: the Nth matching request fails.';
    else input.n = Number(f.n);
  }
  if (has(k, 'delay_ms')) {
    const d = f.delayMs.trim();
    if (!WHOLE.test(d) || Number(d) < 1 || Number(d) > 60_000) errors.delayMs = 'Milliseconds, 1 to 60000.';
    else input.delay_ms = Number(d);
  }
  if (has(k, 'retry_after') && f.retryAfter.trim()) {
    if (!WHOLE.test(f.retryAfter.trim())) errors.retryAfter = 'Whole seconds (empty: 1).';
    else input.retry_after = Number(f.retryAfter);
  }
  if (has(k, 'scope')) {
    if (!f.scope.trim()) errors.scope = 'The scopes the user grants, space-separated (the others are withheld).';
    else input.scope = f.scope.trim().split(/\s+/).join(' ');
  }
  if (has(k, 'patient') && f.patient.trim()) input.patient = f.patient.trim().replace(/^Patient\//, '');
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}

/** Maps a refusal's field (the JSON member) to the form's input. */
export function simFieldOf(field: string | undefined): keyof SimFields | 'general' {
  const map: Record<string, keyof SimFields> = { kind: 'kind', when: 'when', n: 'n', delay_ms: 'delayMs', retry_after: 'retryAfter', scope: 'scope', patient: 'patient' };
  return (field && map[field]) || 'general';
}

export function ordinal(n: number): string {
  const t = n % 100;
  const suffix = t >= 11 && t <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** When it fires, in words. */
export function whenLabel(s: Pick<SimulationInput, 'when' | 'n'>): string {
  if (s.when === 'always') return 'every time';
  if (s.when === 'nth') return `only the ${ordinal(s.n ?? 1)} request`;
  return 'once';
}

/** The parameters, in words: "2000 ms", "Retry-After 7 s", "grants openid patient/*.rs". */
export function paramsLabel(s: SimulationInput): string {
  const parts: string[] = [];
  if (s.delay_ms) parts.push(`${s.delay_ms} ms`);
  if (s.retry_after) parts.push(`Retry-After ${s.retry_after} s`);
  if (s.scope) parts.push(`grants ${s.scope}`);
  if (s.patient) parts.push(`Patient/${s.patient}`);
  return parts.join(' · ');
}

/** Counts since Valet started, for an active simulation (a pending one has none). */
export function countsLabel(s: SimulationInput | Simulation): string {
  return 'seen' in s ? `${s.seen} matched, ${s.fired} fired` : '';
}
