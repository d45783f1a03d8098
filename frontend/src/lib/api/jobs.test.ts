import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { followJob, startGenerate, startReset, type Job } from './jobs';
import { ApiError, type EventSourceLike } from './request';

const job = (over: Partial<Job> = {}): Job => ({
  id: 'ab12',
  kind: 'generate',
  state: 'running',
  progress: { done: 0, total: 5, resources: 0 },
  started_at: '2026-11-26T23:00:00Z',
  ...over,
});

describe('startGenerate and startReset', () => {
  it('posts the request and returns our new job on 202', async () => {
    const f = fakeFetch(() => Response.json(job(), { status: 202, headers: { Location: '/api/jobs/ab12' } }));
    const start = await startGenerate({ patients: 5, seed: 7, personas: false, years: 10 }, f.fn);
    expect(f.calls).toEqual([{ url: '/api/generate', method: 'POST', body: '{"patients":5,"seed":7,"personas":false,"years":10}' }]);
    expect(start).toEqual({ job: job(), attached: false });
  });

  it('attaches to the running job on 409, with the server message', async () => {
    const running = job({ id: 'cd34', kind: 'reset' });
    const f = fakeFetch(() => Response.json({ error: 'a reset job is running (cd34)', job: running }, { status: 409 }));
    expect(await startReset(f.fn)).toEqual({ job: running, attached: true, message: 'a reset job is running (cd34)' });
    expect(f.calls[0]).toMatchObject({ url: '/api/reset', method: 'POST', body: undefined });
  });

  it('declares JSON even when a POST has no body (the control API refuses anything else)', async () => {
    let contentType: string | undefined;
    const fn = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      contentType = (init?.headers as Record<string, string>)['Content-Type'];
      return Response.json(job({ kind: 'reset' }), { status: 202 });
    }) as typeof fetch;
    await startReset(fn);
    expect(contentType).toBe('application/json');
  });

  it("throws the server's validation message on 400", async () => {
    const f = fakeFetch(() => Response.json({ error: 'patients must be between 0 and 100000 (got 200000)' }, { status: 400, statusText: 'Bad Request' }));
    const call = startGenerate({ patients: 200000, seed: 1, personas: false, years: 1 }, f.fn);
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({ status: 400, serverMessage: 'patients must be between 0 and 100000 (got 200000)' });
  });

  it('throws on a 409 that carries no job', async () => {
    const f = fakeFetch(() => Response.json({ error: 'busy' }, { status: 409 }));
    await expect(startReset(f.fn)).rejects.toMatchObject({ status: 409, serverMessage: 'busy' });
  });
});

class FakeEventSource implements EventSourceLike {
  static last: FakeEventSource | undefined;
  listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data?: unknown) {
    const ev = { data: data === undefined ? undefined : JSON.stringify(data) } as MessageEvent;
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
}

describe('followJob', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const openEvents = (url: string) => new FakeEventSource(url);

  it('follows progress events and stops at the end event', () => {
    const seen: Job[] = [];
    const f = fakeFetch(() => Response.json(job()));
    followJob('ab12', { onSnapshot: (j) => seen.push(j) }, { openEvents, fetchFn: f.fn });
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/jobs/ab12/events');
    es.emit('progress', job({ progress: { done: 2, total: 5, resources: 300 } }));
    es.emit('end', job({ state: 'done' }));
    expect(seen.map((j) => j.state)).toEqual(['running', 'done']);
    expect(es.closed).toBe(true);
    es.emit('progress', job());
    expect(seen).toHaveLength(2);
    expect(f.calls).toHaveLength(0);
  });

  it('falls back to polling every 500 ms when the stream errors, until the job finishes', async () => {
    const states = ['running', 'running', 'canceled'] as const;
    let n = 0;
    const f = fakeFetch(() => Response.json(job({ state: states[Math.min(n++, 2)] })));
    const seen: string[] = [];
    followJob('ab12', { onSnapshot: (j) => seen.push(j.state) }, { openEvents, fetchFn: f.fn });
    const es = FakeEventSource.last!;
    es.emit('error');
    expect(es.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['running']);
    await vi.advanceTimersByTimeAsync(499);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(seen).toEqual(['running', 'running', 'canceled']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.calls).toHaveLength(3);
    expect(f.calls.every((c) => c.url === '/api/jobs/ab12')).toBe(true);
  });

  it('reports failing polls, keeps trying, and reports the recovery', async () => {
    let fail = true;
    const f = fakeFetch(() => (fail ? Promise.reject(new TypeError('Failed to fetch')) : Response.json(job({ state: 'done' }))));
    const connection: (string | null)[] = [];
    followJob('ab12', { onSnapshot: () => {}, onConnection: (e) => connection.push(e) }, { openEvents: null, fetchFn: f.fn });
    await vi.advanceTimersByTimeAsync(0);
    expect(connection).toEqual(['Cannot reach the Valet server (/api/jobs/ab12).']);
    fail = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(connection).toEqual(['Cannot reach the Valet server (/api/jobs/ab12).', null]);
  });

  it('stops polling when the server no longer knows the job', async () => {
    const f = fakeFetch(() => Response.json({ error: 'no job ab12' }, { status: 404 }));
    followJob('ab12', { onSnapshot: () => {} }, { openEvents: null, fetchFn: f.fn });
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.calls).toHaveLength(1);
  });

  it('stops everything when the caller stops', async () => {
    const f = fakeFetch(() => Response.json(job()));
    const stop = followJob('ab12', { onSnapshot: () => {} }, { openEvents, fetchFn: f.fn });
    const es = FakeEventSource.last!;
    stop();
    expect(es.closed).toBe(true);
    es.emit('error');
    await vi.advanceTimersByTimeAsync(2000);
    expect(f.calls).toHaveLength(0);
  });
});
