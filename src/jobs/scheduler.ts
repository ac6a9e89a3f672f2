// Background jobs (09 §7): each runs on its interval, never overlaps itself, logs failures, stops with the server.
import type { Logger } from "../util/logger.ts";

export interface Job {
  name: string;
  intervalMs: number;
  /** also run once as soon as the scheduler starts (catch-up after a crash), without delaying start-up */
  runAtStart?: boolean;
  /** idempotent and safe to re-run after a crash */
  run(): Promise<void> | void;
}

/** The timer functions the scheduler uses; tests pass their own to fire intervals without waiting. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    t.unref?.();
    return t;
  },
  clearInterval: (t) => clearInterval(t as ReturnType<typeof setInterval>),
};

export class JobScheduler {
  private readonly jobs: Job[] = [];
  private readonly timers = new Map<string, unknown>();
  private readonly running = new Map<string, Promise<void>>();
  private started = false;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Timers = REAL_TIMERS,
  ) {}

  add(job: Job): void {
    if (this.jobs.some((j) => j.name === job.name)) throw new Error(`job ${job.name} registered twice`);
    this.jobs.push(job);
    if (this.started) this.schedule(job);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs) this.schedule(job);
  }

  /** Runs a job now (tests, start-up catch-up); resolves when this run ends. Joins a run already under way. */
  runNow(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job named ${name}`);
    return this.tick(job);
  }

  /** Stops the timers and waits for runs under way. */
  async stop(): Promise<void> {
    this.started = false;
    for (const timer of this.timers.values()) this.clock.clearInterval(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private schedule(job: Job): void {
    if (job.runAtStart) void this.tick(job);
    this.timers.set(job.name, this.clock.setInterval(() => void this.tick(job), job.intervalMs));
  }

  // Why the map: a slow run must not be started again by the next tick (jobs never overlap themselves).
  private tick(job: Job): Promise<void> {
    const current = this.running.get(job.name);
    if (current) return current;
    const started = performance.now();
    const run = (async () => {
      try {
        await job.run();
        this.logger.debug("job finished", { job: job.name, durationMs: Math.round(performance.now() - started) });
      } catch (err) {
        this.logger.error("job failed", { job: job.name, err: err instanceof Error ? err.message : String(err) });
      } finally {
        this.running.delete(job.name);
      }
    })();
    this.running.set(job.name, run);
    return run;
  }
}
