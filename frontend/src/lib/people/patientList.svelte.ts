// Reactive patient list (GET /api/patients): the Patients view's table and the patient pickers.
import { listPatients, type PatientSummary } from '../api';
import { SearchList } from './searchList.svelte';

export { PAGE_SIZE } from './searchList.svelte';

export class PatientList extends SearchList<PatientSummary> {
  constructor() {
    super(async (query, signal) => {
      const page = await listPatients(query, signal);
      return { total: page.total, items: page.patients ?? [] };
    });
  }

  get patients(): PatientSummary[] {
    return this.items;
  }
}
