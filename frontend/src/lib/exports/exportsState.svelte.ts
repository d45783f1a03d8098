// Reactive state of the Patients view's Bulk Data card: the exports apps started with $export, polled
// every 2 s while the view is open (a running export's progress moves), the Groups they can be of, every
// 30 s (a generated all-patients Group is a large resource, and Groups change seldom), and deleting an export.
import { ApiError, deleteExport, listExports, listGroups, type Export, type Group } from '../api';
import { poll, type Poller } from '../shell/poll';

export const EXPORTS_INTERVAL_MS = 2_000;
export const GROUPS_INTERVAL_MS = 30_000;

const message = (err: unknown) => (err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err));

export class ExportsState {
  exports = $state.raw<Export[]>([]);
  groups = $state.raw<Group[]>([]);
  /** Both lists have arrived once. */
  loaded = $derived.by(() => this.#exportsLoaded && this.#groupsLoaded);
  #exportsLoaded = $state(false);
  #groupsLoaded = $state(false);
  error = $state<string | null>(null);
  deleting = $state<string | null>(null);

  #poller: Poller | undefined;

  start(): () => void {
    const onError = (err: unknown) => {
      this.error = message(err);
    };
    this.#poller = poll((signal) => listExports(signal), EXPORTS_INTERVAL_MS, {
      onData: (exports) => {
        this.exports = exports;
        this.#exportsLoaded = true;
        this.error = null;
      },
      onError,
    });
    const groups = poll((signal) => listGroups(signal), GROUPS_INTERVAL_MS, {
      onData: (gs) => {
        this.groups = gs;
        this.#groupsLoaded = true;
      },
      onError,
    });
    return () => {
      this.#poller?.stop();
      groups.stop();
    };
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
