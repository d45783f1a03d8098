import { describe, expect, it } from 'vitest';
import type { Job } from '../api';
import { describeOutcome, elapsedSeconds, emptyTrack, formatProgress, formatSeconds, jobTitle, progressFraction, reduceJob, type JobTrack } from './track';

const job = (over: Partial<Job> = {}): Job => ({
  id: 'j1',
  kind: 'generate',
  state: 'running',
  progress: { done: 0, total: 25, resources: 0 },
  started_at: '2026-11-26T23:00:00Z',
  ...over,
});

const started = (j: Job, at = 1000): JobTrack => reduceJob(emptyTrack, { type: 'started', job: j, attached: false, at });

describe('reduceJob', () => {
  it('starts tracking our own job with the local start time', () => {
    const t = started(job(), 5000);
    expect(t).toEqual({ job: job(), attached: false, notice: null, localStart: 5000, connection: null });
  });

  it('records the 409 notice and no local start when attaching to a running job', () => {
    const t = reduceJob(emptyTrack, { type: 'started', job: job(), attached: true, notice: 'a reset job is running', at: 5000 });
    expect(t.attached).toBe(true);
    expect(t.notice).toBe('a reset job is running');
    expect(t.localStart).toBeNull();
  });

  it('applies snapshots of the same job in order', () => {
    let t = started(job());
    t = reduceJob(t, { type: 'snapshot', job: job({ progress: { done: 3, total: 25, resources: 800 } }) });
    expect(t.job?.progress.done).toBe(3);
    t = reduceJob(t, { type: 'snapshot', job: job({ state: 'done', progress: { done: 25, total: 25, resources: 9000 } }) });
    expect(t.job?.state).toBe('done');
  });

  it('ignores snapshots of another job', () => {
    const t = started(job());
    expect(reduceJob(t, { type: 'snapshot', job: job({ id: 'other', state: 'failed' }) })).toBe(t);
  });

  it('never lets a stale running snapshot revive a finished job', () => {
    let t = started(job());
    t = reduceJob(t, { type: 'snapshot', job: job({ state: 'canceled', error: 'canceled' }) });
    const after = reduceJob(t, { type: 'snapshot', job: job({ progress: { done: 9, total: 25, resources: 10 } }) });
    expect(after.job?.state).toBe('canceled');
  });

  it('ignores a running snapshot whose counters went backwards (poll overlapping the stream)', () => {
    let t = started(job());
    t = reduceJob(t, { type: 'snapshot', job: job({ progress: { done: 5, total: 25, resources: 1000 } }) });
    const stale = reduceJob(t, { type: 'snapshot', job: job({ progress: { done: 4, total: 25, resources: 900 } }) });
    expect(stale.job?.progress.done).toBe(5);
  });

  it('keeps a running job on dismiss and clears a finished one', () => {
    const running = started(job());
    expect(reduceJob(running, { type: 'dismiss' })).toBe(running);
    const done = reduceJob(running, { type: 'snapshot', job: job({ state: 'done' }) });
    expect(reduceJob(done, { type: 'dismiss' })).toEqual(emptyTrack);
  });

  it('records connection trouble and its recovery', () => {
    let t = reduceJob(started(job()), { type: 'connection', error: 'Cannot reach the Valet server' });
    expect(t.connection).toBe('Cannot reach the Valet server');
    t = reduceJob(t, { type: 'connection', error: null });
    expect(t.connection).toBeNull();
  });
});

describe('formatProgress', () => {
  it('says how many of how many patients, and resources', () => {
    expect(formatProgress({ done: 3, total: 25, resources: 812 })).toBe('3 of 25 patients · 812 resources');
    expect(formatProgress({ done: 1200, total: 100000, resources: 1234567 })).toBe('1,200 of 100,000 patients · 1,234,567 resources');
  });

  it('uses the singular for one', () => {
    expect(formatProgress({ done: 1, total: 1, resources: 1 })).toBe('1 of 1 patient · 1 resource');
  });

  it('leaves out the total while it is unknown', () => {
    expect(formatProgress({ done: 0, total: 0, resources: 0 })).toBe('0 patients · 0 resources');
  });
});

describe('progressFraction', () => {
  it('is done / total, clamped, and 1 once done', () => {
    expect(progressFraction(job({ progress: { done: 5, total: 20, resources: 0 } }))).toBe(0.25);
    expect(progressFraction(job({ progress: { done: 30, total: 20, resources: 0 } }))).toBe(1);
    expect(progressFraction(job({ state: 'done', progress: { done: 0, total: 0, resources: 0 } }))).toBe(1);
  });

  it('is null (indeterminate) without a total', () => {
    expect(progressFraction(job({ progress: { done: 5, total: 0, resources: 0 } }))).toBeNull();
  });
});

describe('formatSeconds', () => {
  it.each([
    [0, '0.0 s'],
    [0.46, '0.4 s'],
    [9.99, '9.9 s'],
    [12.7, '12 s'],
    [125, '2m 05s'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%d → %s', (s, want) => {
    expect(formatSeconds(s)).toBe(want);
  });
});

describe('elapsedSeconds', () => {
  it('counts from our own start while running, whatever the server clock says', () => {
    const t = started(job({ started_at: '2030-01-01T00:00:00Z' }), 10_000);
    expect(elapsedSeconds(t, 12_500)).toBe(2.5);
  });

  it("counts from the server's started_at for a job we attached to", () => {
    const t = reduceJob(emptyTrack, { type: 'started', job: job(), attached: true, at: 0 });
    expect(elapsedSeconds(t, Date.parse('2026-11-26T23:00:04Z'))).toBe(4);
  });

  it("uses the result's seconds, then the server's timestamps, once finished", () => {
    const base = started(job(), 0);
    const withResult = reduceJob(base, { type: 'snapshot', job: job({ state: 'done', result: { patients: 1, resources: 2, by_type: {}, seconds: 1.3 } }) });
    expect(elapsedSeconds(withResult, 999_999)).toBe(1.3);
    const failed = reduceJob(base, { type: 'snapshot', job: job({ state: 'failed', finished_at: '2026-11-26T23:00:07Z' }) });
    expect(elapsedSeconds(failed, 999_999)).toBe(7);
  });
});

describe('jobTitle and describeOutcome', () => {
  it('names what runs and how it ended', () => {
    expect(jobTitle(job())).toBe('Generating patients…');
    expect(jobTitle(job({ kind: 'reset', state: 'done' }))).toBe('Reset done');
    expect(jobTitle(job({ state: 'failed' }))).toBe('Generation failed');
    expect(jobTitle(job({ kind: 'seed' }))).toBe('Loading the default population…');
  });

  it('gives the result counts, the error, or that it was canceled', () => {
    expect(describeOutcome(job({ state: 'done', result: { patients: 25, resources: 9000, by_type: {}, seconds: 1.3 } }))).toBe(
      'Stored 25 patients and 9,000 resources in 1.3 s.',
    );
    expect(describeOutcome(job({ state: 'failed', error: 'disk full' }))).toBe('disk full');
    expect(describeOutcome(job({ state: 'canceled' }))).toBe('Canceled before it finished; the progress above is how far it got.');
    expect(describeOutcome(job())).toBe('');
  });
});
