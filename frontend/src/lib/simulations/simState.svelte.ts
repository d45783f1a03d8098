// Reactive state of the active simulations (GET /api/simulations) and the kinds catalogue, shared by the
// Apps view (each card's simulations), the Launch view (the kinds) and the Settings view (the global ones).
import { addSimulation, ApiError, listSimKinds, listSimulations, removeSimulation, type SimKind, type Simulation, type SimulationInput } from '../api';
import { simFieldOf, type SimErrors } from './simForm';

const message = (err: unknown) => (err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err));

export class SimulationState {
  all = $state.raw<Simulation[]>([]);
  kinds = $state.raw<SimKind[]>([]);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      const [all, kinds] = await Promise.all([listSimulations(), this.kinds.length ? Promise.resolve(this.kinds) : listSimKinds()]);
      this.all = all;
      this.kinds = kinds;
      this.error = null;
    } catch (err) {
      this.error = message(err);
    }
  }

  /** The app's own simulations (not those of its single launches). */
  forClient(id: string): Simulation[] {
    return this.all.filter((s) => s.client_id === id);
  }

  get global(): Simulation[] {
    return this.all.filter((s) => !s.client_id && !s.launch);
  }

  /** Sets a simulation; a refusal comes back keyed by the form input it is about. */
  async add(input: SimulationInput): Promise<SimErrors | null> {
    try {
      await addSimulation(input);
    } catch (err) {
      return { [err instanceof ApiError ? simFieldOf(err.field) : 'general']: message(err) };
    }
    await this.load();
    return null;
  }

  async remove(id: string): Promise<void> {
    try {
      await removeSimulation(id);
    } catch (err) {
      this.error = message(err);
    }
    await this.load();
  }
}
