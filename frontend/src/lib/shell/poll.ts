// Repeats a load on an interval without overlapping requests: the next one is scheduled only
// after the previous one settles, so a slow server never piles up in-flight calls.

export interface Poller {
  /** Loads now (cancelling a pending wait) and resumes the interval after it. */
  refresh(): void;
  stop(): void;
}

export interface PollHandlers<T> {
  onData(value: T): void;
  onError(error: unknown): void;
}

export function poll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, handlers: PollHandlers<T>): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  let stopped = false;

  const run = async () => {
    clearTimeout(timer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const value = await load(mine.signal);
      if (!mine.signal.aborted) handlers.onData(value);
    } catch (err) {
      if (!mine.signal.aborted) handlers.onError(err);
    }
    if (!stopped && controller === mine) timer = setTimeout(run, intervalMs);
  };

  void run();
  return {
    refresh() {
      if (!stopped) void run();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
  };
}
