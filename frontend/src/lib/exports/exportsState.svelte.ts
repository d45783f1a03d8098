// Reactive state of the Patients view's Bulk Data card: the exports apps started with $export and the
// Groups they can be of, polled while the view is open (every 2 s: a running export's progress moves),
// and deleting an export.
import { ApiError, deleteExport, listExports, listGroups, type Export, type Group } from '../api';
import { poll, type Poller } from '../shell/poll';

export const EXPORTS_INTERVAL_MS = 2_000;

const message = (err: unknown) => (err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err));

export class ExportsState {
  exports = $state.raw<Export[]>([]);
  groups = $state.raw<Group[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  deleting = $state<string | null>(null);

  #poller: Poller | undefined;

  start(): () => void {
    this.#poller = poll((signal) => Promise.all([listExports(signal), listGroups(signal)]), EXPORTS_INTERVAL_MS, {
      onData: ([exports, groups]) => {
        this.exports = exports;
        this.groups = groups;
        this.loaded = true;
        this.error = null;
      },
      onError: (err) => {
        this.error = message(err);
      },
    });
    return () => this.#poller?.stop();
  }

  async remove(id: string): Promise<void> {
    this.deleting = id;
    try {
      await deleteExport(id);
      this.exports = this.exports.filter((x) => x.id !== id);
    } catch (err) {
      this.error = message(err);
    } finally {
      this.deleting = null;
      this.#poller?.refresh();
    }
  }
}
