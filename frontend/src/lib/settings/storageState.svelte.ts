// Reactive state of the Settings view's Storage card: GET /api/storage (polled while the view is open, so
// the counts and the last pruning pass stay current), the retention form's save, the per-table usage (on
// request only: the server reads every page of the database for it) and clearing the flow history.
import { ApiError, clearEvents, getStorage, getStorageUsage, setRetention, type Retention, type Storage, type TableUsage } from '../api';
import { poll, type Poller } from '../shell/poll';
import { retentionServerErrors, type RetentionRefusal } from './retentionForm';

export const STORAGE_INTERVAL_MS = 10_000;

const message = (err: unknown) => (err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err));
const sameRetention = (a: Retention | null, b: Retention) => !!a && a.events_days === b.events_days && a.events_max === b.events_max && a.audit_days === b.audit_days;

export class StorageState {
  current = $state.raw<Storage | null>(null);
  error = $state<string | null>(null);

  /** The retention the server keeps, for the form to start from: replaced only when its values change
   *  (a save, or another client's PUT), so a poll does not undo what is being typed. */
  saved = $state.raw<Retention | null>(null);
  saving = $state(false);
  refusal = $state.raw<RetentionRefusal | null>(null);
  saveNotice = $state<string | null>(null);

  usage = $state.raw<TableUsage[] | null>(null);
  /** Browser time (ms) the usage was measured at. */
  usageAt = $state(0);
  usageLoading = $state(false);
  usageError = $state<string | null>(null);

  clearing = $state(false);
  clearNotice = $state<string | null>(null);
  clearError = $state<string | null>(null);

  #poller: Poller | undefined;

  start(): () => void {
    this.#poller = poll((signal) => getStorage(signal), STORAGE_INTERVAL_MS, {
      onData: (s) => this.#received(s),
      onError: (err) => {
        this.error = message(err);
      },
    });
    return () => this.#poller?.stop();
  }

  #received(s: Storage): void {
    this.current = s;
    if (!sameRetention(this.saved, s.retention)) this.saved = s.retention;
    this.error = null;
  }

  /** Loads now (the Retry button, and after a change). */
  refresh(): void {
    this.#poller?.refresh();
  }

  async save(r: Retention): Promise<void> {
    this.saving = true;
    this.refusal = null;
    this.saveNotice = null;
    try {
      const stored = await setRetention(r);
      this.saved = stored;
      this.saveNotice = 'Saved. A pruning pass runs now with these settings.';
      this.#poller?.refresh();
    } catch (err) {
      this.refusal = { sent: r, errors: err instanceof ApiError ? retentionServerErrors(message(err), err.field) : { general: message(err) } };
    } finally {
      this.saving = false;
    }
  }

  async loadUsage(): Promise<void> {
    this.usageLoading = true;
    this.usageError = null;
    try {
      this.usage = await getStorageUsage();
      this.usageAt = Date.now();
    } catch (err) {
      this.usageError = message(err);
    } finally {
      this.usageLoading = false;
    }
  }

  async clearHistory(): Promise<void> {
    this.clearing = true;
    this.clearNotice = this.clearError = null;
    try {
      const n = await clearEvents();
      this.clearNotice = `Cleared the flow history: ${n.toLocaleString('en-US')} ${n === 1 ? 'event' : 'events'} removed.`;
      // What each table takes changed with it; measuring again is the user's call (it reads every page).
      this.usage = null;
      this.#poller?.refresh();
    } catch (err) {
      this.clearError = `Cannot clear the flow history: ${message(err)}`;
    } finally {
      this.clearing = false;
    }
  }
}
