// Reactive list of registered apps (GET /api/clients), shared shape for the Apps, Launch and Flows views.
import { listClients, type Client } from '../api';

export class ClientList {
  clients = $state.raw<Client[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.clients = await listClients();
      this.error = null;
      this.loaded = true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.loading = false;
  }

  byId(id: string | undefined): Client | undefined {
    return id ? this.clients.find((c) => c.client_id === id) : undefined;
  }

  /** The app's name for display, falling back to its id (a deleted app, or events of an unknown client). */
  nameOf(id: string | undefined): string {
    return this.byId(id)?.client_name || id || '—';
  }
}
