// Reactive view of /api/status for the components: the latest status, when it arrived, and the
// last error. Views read these fields; only this module (via api.ts) talks to the server.
import { getStatus, type Status } from './api';
import { poll, type Poller } from './poll';

export const STATUS_INTERVAL_MS = 5000;

export class StatusFeed {
  status = $state<Status | null>(null);
  /** Browser time (ms) at which `status` arrived; lets the uptime tick between polls. */
  receivedAt = $state(0);
  error = $state<string | null>(null);
  loading = $state(true);

  #poller: Poller | undefined;

  start(): () => void {
    this.#poller = poll((signal) => getStatus(signal), STATUS_INTERVAL_MS, {
      onData: (s) => {
        this.status = s;
        this.receivedAt = Date.now();
        this.error = null;
        this.loading = false;
      },
      onError: (err) => {
        this.error = err instanceof Error ? err.message : String(err);
        this.loading = false;
      },
    });
    return () => this.#poller?.stop();
  }

  retry(): void {
    this.loading = true;
    this.#poller?.refresh();
  }
}
