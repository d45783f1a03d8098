import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { poll } from './poll';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('poll', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads at once, then again one interval after each load settles', async () => {
    let n = 0;
    const seen: number[] = [];
    const p = poll(async () => ++n, 5000, { onData: (v) => seen.push(v), onError: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1, 2]);
    p.stop();
  });

  it('never overlaps a slow load with the next one', async () => {
    const pending = deferred<string>();
    const load = vi.fn(() => pending.promise);
    const p = poll(load, 1000, { onData: () => {}, onError: () => {} });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(1);
    pending.resolve('late');
    await vi.advanceTimersByTimeAsync(1000);
    expect(load).toHaveBeenCalledTimes(2);
    p.stop();
  });

  it('reports errors and keeps polling so the view recovers by itself', async () => {
    const results: string[] = [];
    let fail = true;
    const p = poll(
      async () => {
        if (fail) throw new Error('down');
        return 'up';
      },
      1000,
      { onData: (v) => results.push(v), onError: (e) => results.push((e as Error).message) },
    );
    await vi.advanceTimersByTimeAsync(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(results).toEqual(['down', 'up']);
    p.stop();
  });

  it('refresh loads immediately and drops the answer of the call it replaced', async () => {
    const first = deferred<string>();
    const calls = [() => first.promise, async () => 'second'];
    const seen: string[] = [];
    const p = poll((_signal) => calls.shift()!(), 1000, { onData: (v) => seen.push(v), onError: () => {} });
    p.refresh();
    await vi.advanceTimersByTimeAsync(0);
    first.resolve('first');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['second']);
    p.stop();
  });

  it('stops: no further loads and no callbacks after stop', async () => {
    const pending = deferred<string>();
    const load = vi.fn(() => pending.promise);
    const onData = vi.fn();
    const p = poll(load, 1000, { onData, onError: () => {} });
    p.stop();
    pending.resolve('x');
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(1);
    expect(onData).not.toHaveBeenCalled();
  });
});
