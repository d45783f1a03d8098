// Reactive practitioner list (GET /api/practitioners, by name or NPI): the practitioner pickers.
import { listPractitioners, type PractitionerSummary } from '../api';
import { SearchList } from './searchList.svelte';

export class PractitionerList extends SearchList<PractitionerSummary> {
  constructor() {
    super(async (query, signal) => {
      const page = await listPractitioners(query, signal);
      return { total: page.total, items: page.practitioners ?? [] };
    });
  }
}
