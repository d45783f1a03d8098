// Reactive state of the job the Patients view shows: starts generate/reset jobs through lib/api,
// follows them (events, or polling as a fallback) and folds every snapshot through reduceJob.
import { ApiError, cancelJob, followJob, listJobs, startGenerate, startReset, type GenerateRequest, type JobStart } from '../api';
import { generateServerErrors, type GenerateErrors } from './generateForm';
import { emptyTrack, reduceJob, type JobEvent, type JobTrack } from './track';

export class JobFeed {
  track = $state<JobTrack>(emptyTrack);
  /** A request is on its way (the buttons wait for it). */
  starting = $state(false);
  /** Why the last start was refused (400 validation, 501, server down), shown by the form. */
  startErrors = $state<GenerateErrors>({});
  cancelling = $state(false);
  /** Bumped each time a followed job finishes, so views can reload what it changed. */
  finished = $state(0);

  #unfollow: (() => void) | undefined;

  #apply(ev: JobEvent): void {
    const wasRunning = this.track.job?.state === 'running';
    this.track = reduceJob(this.track, ev);
    if (wasRunning && this.track.job && this.track.job.state !== 'running') {
      this.finished += 1;
      this.cancelling = false;
    }
  }

  #follow(start: JobStart): void {
    this.#unfollow?.();
    this.cancelling = false;
    this.#apply({ type: 'started', job: start.job, attached: start.attached, notice: start.attached ? start.message : undefined, at: Date.now() });
    if (start.job.state !== 'running') {
      this.finished += 1;
      return;
    }
    this.#unfollow = followJob(start.job.id, {
      onSnapshot: (job) => this.#apply({ type: 'snapshot', job }),
      onConnection: (error) => this.#apply({ type: 'connection', error }),
    });
  }

  async #start(what: string, run: () => Promise<JobStart>): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    this.startErrors = {};
    try {
      const start = await run();
      // The server's 409 text is written for API clients (it names the DELETE to send); say it in the panel's words.
      if (start.attached) start.message = `${what} did not start: a ${start.job.kind} job was already running, so this shows that job instead.`;
      this.#follow(start);
    } catch (err) {
      this.startErrors = err instanceof ApiError ? generateServerErrors(err.serverMessage ?? err.message, err.field) : { general: String(err) };
    } finally {
      this.starting = false;
    }
  }

  generate(req: GenerateRequest): Promise<void> {
    return this.#start('Generate', () => startGenerate(req));
  }

  reset(): Promise<void> {
    return this.#start('Reset', () => startReset());
  }

  async cancel(): Promise<void> {
    const job = this.track.job;
    if (!job || job.state !== 'running') return;
    this.cancelling = true;
    try {
      // The stream reports the final "canceled" state; the DELETE answer is only an acknowledgement.
      await cancelJob(job.id);
    } catch (err) {
      this.cancelling = false;
      this.#apply({ type: 'connection', error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Follows a job that is already running on the server (started elsewhere, or before a reload). */
  async attachRunning(): Promise<void> {
    try {
      const running = (await listJobs()).find((j) => j.state === 'running');
      if (running && !this.track.job) this.#follow({ job: running, attached: true, message: `This ${running.kind} job was already running when the page opened.` });
    } catch {
      // Best effort: without the list, the next Generate still finds the running job through its 409.
    }
  }

  dismiss(): void {
    this.#apply({ type: 'dismiss' });
  }

  stop(): void {
    this.#unfollow?.();
  }
}
