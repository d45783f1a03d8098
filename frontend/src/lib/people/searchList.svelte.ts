// Reactive searchable, paged list: query, page and the latest answer of a list endpoint such as
// GET /api/patients or GET /api/practitioners. Typing is debounced, and a newer request aborts an older
// one so a slow answer never overwrites a fresh one.
import type { PatientQuery } from '../api';

export const PAGE_SIZE = 20;
const DEBOUNCE_MS = 250;

export interface Page<T> {
  total: number;
  items: T[];
}

export type FetchPage<T> = (query: PatientQuery, signal: AbortSignal) => Promise<Page<T>>;

export class SearchList<T> {
  q = $state('');
  /** The query the shown rows answer (q runs ahead of it while typing). */
  shownQ = $state('');
  offset = $state(0);
  total = $state(0);
  items = $state<T[]>([]);
  loading = $state(false);
  /** True once the first answer arrived (so a table does not flash "none"). */
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly #fetchPage: FetchPage<T>;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(fetchPage: FetchPage<T>) {
    this.#fetchPage = fetchPage;
  }

  async load(): Promise<void> {
    clearTimeout(this.#timer);
    this.#controller?.abort();
    const mine = new AbortController();
    this.#controller = mine;
    this.loading = true;
    const q = this.q;
    try {
      const page = await this.#fetchPage({ q, count: PAGE_SIZE, offset: this.offset }, mine.signal);
      if (mine.signal.aborted) return;
      this.shownQ = q.trim();
      this.total = page.total;
      this.items = page.items;
      this.error = null;
      this.loaded = true;
      // The list shrank under us (a reset, a narrower search): step back to the last page.
      if (this.offset > 0 && this.offset >= page.total) {
        this.offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
        void this.load();
        return;
      }
    } catch (err) {
      if (mine.signal.aborted) return;
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.loading = false;
  }

  search(q: string): void {
    this.q = q;
    this.offset = 0;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(), DEBOUNCE_MS);
  }

  goTo(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.load();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#controller?.abort();
  }
}
