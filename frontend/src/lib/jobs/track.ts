// Pure logic for following a job: the reducer that folds stream/poll snapshots into what the panel
// shows, and the wording of its progress and outcome. No I/O here, so all of it is unit-tested.
import type { Job, JobProgress } from '../api';
import { formatCount } from '../format/format';

export interface JobTrack {
  job: Job | null;
  /** True when the panel asked for a job but the server was busy and we follow its job instead. */
  attached: boolean;
  /** The server's 409 message when attached. */
  notice: string | null;
  /** Browser time (ms) at which we started the job ourselves; elapsed time then ignores clock skew. */
  localStart: number | null;
  /** Last error talking to the server while following, null when fine. */
  connection: string | null;
}

export type JobEvent =
  | { type: 'started'; job: Job; attached: boolean; notice?: string; at: number }
  | { type: 'snapshot'; job: Job }
  | { type: 'connection'; error: string | null }
  | { type: 'dismiss' };

export const emptyTrack: JobTrack = { job: null, attached: false, notice: null, localStart: null, connection: null };

export function reduceJob(track: JobTrack, ev: JobEvent): JobTrack {
  switch (ev.type) {
    case 'started':
      return {
        job: ev.job,
        attached: ev.attached,
        notice: ev.attached ? (ev.notice ?? null) : null,
        localStart: ev.attached ? null : ev.at,
        connection: null,
      };
    case 'snapshot': {
      const cur = track.job;
      // A late snapshot of an older job (a stream that outlived its view) must not take over.
      if (!cur || cur.id !== ev.job.id) return track;
      // Stream and poll may overlap: once a job has finished, a stale "running" snapshot is ignored,
      // as is one whose counters went backwards.
      if (cur.state !== 'running') return track;
      if (ev.job.state === 'running' && isBehind(ev.job.progress, cur.progress)) return track;
      return { ...track, job: ev.job };
    }
    case 'connection':
      return track.connection === ev.error ? track : { ...track, connection: ev.error };
    case 'dismiss':
      return track.job && track.job.state === 'running' ? track : emptyTrack;
  }
}

function isBehind(next: JobProgress, cur: JobProgress): boolean {
  return next.done < cur.done || next.resources < cur.resources;
}

/** Fraction done in [0, 1], or null while the total is unknown (an indeterminate bar). */
export function progressFraction(job: Job): number | null {
  if (job.state === 'done') return 1;
  const { done, total } = job.progress;
  if (!(total > 0)) return null;
  return Math.min(1, Math.max(0, done / total));
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "3 of 25 patients · 812 resources", or "3 patients · 812 resources" while the total is unknown. */
export function formatProgress(p: JobProgress): string {
  const patients = p.total > 0 ? `${formatCount(p.done)} of ${plural(p.total, 'patient', 'patients')}` : plural(p.done, 'patient', 'patients');
  return `${patients} · ${plural(p.resources, 'resource', 'resources')}`;
}

/** Seconds as "0.4 s", "12 s", "2m 05s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${(Math.floor(seconds * 10) / 10).toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${String(Math.floor(seconds - m * 60)).padStart(2, '0')}s`;
}

/**
 * How long the job has run. A finished job uses the server's own timestamps; a running one counts
 * from when we started it (so a skewed or shifted sandbox clock does not matter) or, for a job we
 * attached to, from its started_at.
 */
export function elapsedSeconds(track: JobTrack, nowMs: number): number {
  const job = track.job;
  if (!job) return 0;
  if (job.state !== 'running') {
    if (job.result && Number.isFinite(job.result.seconds)) return job.result.seconds;
    if (job.finished_at) return Math.max(0, (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000);
  }
  const from = track.localStart ?? Date.parse(job.started_at);
  return Number.isFinite(from) ? Math.max(0, (nowMs - from) / 1000) : 0;
}

const kindTitles: Record<string, [running: string, finished: string]> = {
  generate: ['Generating patients', 'Generation'],
  reset: ['Resetting the sandbox', 'Reset'],
  import: ['Importing', 'Import'],
  seed: ['Loading the default population', 'Default population'],
};

/** The heading of the job card: what runs, or what ran and how it ended. */
export function jobTitle(job: Job): string {
  const [running, finished] = kindTitles[job.kind] ?? [`Running ${job.kind}`, job.kind];
  switch (job.state) {
    case 'running':
      return `${running}…`;
    case 'done':
      return `${finished} done`;
    case 'failed':
      return `${finished} failed`;
    case 'canceled':
      return `${finished} canceled`;
  }
}

/** One sentence on how a finished job ended; "" while it runs. */
export function describeOutcome(job: Job): string {
  switch (job.state) {
    case 'running':
      return '';
    case 'done': {
      const r = job.result;
      if (!r) return 'Finished.';
      return `Stored ${plural(r.patients, 'patient', 'patients')} and ${plural(r.resources, 'resource', 'resources')} in ${formatSeconds(r.seconds)}.`;
    }
    case 'failed':
      return job.error || 'The job failed without saying why.';
    case 'canceled':
      return 'Canceled before it finished; the progress above is how far it got.';
  }
}
