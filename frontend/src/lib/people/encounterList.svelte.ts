// Reactive encounters of one patient (GET /api/patients/{id}/encounters, most recent first) for the
// Launch view's encounter picker. Choosing another patient aborts the previous patient's request.
import { listEncounters, type EncounterSummary } from '../api';

export const ENCOUNTER_COUNT = 50;

export class EncounterList {
  patientId = $state('');
  encounters = $state<EncounterSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  #controller: AbortController | undefined;

  async load(patientId: string): Promise<void> {
    this.#controller?.abort();
    this.patientId = patientId;
    this.encounters = [];
    this.error = null;
    if (!patientId) {
      this.loading = false;
      return;
    }
    const mine = new AbortController();
    this.#controller = mine;
    this.loading = true;
    try {
      const list = await listEncounters(patientId, ENCOUNTER_COUNT, mine.signal);
      if (mine.signal.aborted) return;
      this.encounters = list;
    } catch (err) {
      if (mine.signal.aborted) return;
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.loading = false;
  }

  stop(): void {
    this.#controller?.abort();
  }
}
