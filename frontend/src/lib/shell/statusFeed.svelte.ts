// Reactive view of /api/status for the components: the latest status, when it arrived, and the
// last error. Views read these fields; only this module (via lib/api) talks to the server.
import { ApiError, getStatus, type Status } from '../api';
import { poll, type Poller } from './poll';

export const STATUS_INTERVAL_MS = 5000;

export class StatusFeed {
  status = $state<Status | null>(null);
  /** Browser time (ms) at which `status` arrived; lets the uptime tick between polls. */
  receivedAt = $state(0);
  error = $state<string | null>(null);
  /** True when the last call got no HTTP answer at all (server stopped), as opposed to an error status. */
  unreachable = $state(false);
  loading = $state(true);

  #poller: Poller | undefined;

  start(): () => void {
    this.#poller = poll((signal) => getStatus(signal), STATUS_INTERVAL_MS, {
      onData: (s) => {
        this.status = s;
        this.receivedAt = Date.now();
        this.error = null;
        this.unreachable = false;
        this.loading = false;
      },
      onError: (err) => {
        this.error = err instanceof Error ? err.message : String(err);
        this.unreachable = err instanceof ApiError && err.status === undefined;
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
