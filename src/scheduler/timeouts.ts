/**
 * The per-attempt timeouts of a lane, on one timer. A timer per attempt (and its closure) is most
 * of what a zero-latency call costs, and nearly all of them are cancelled unfired. Attempts go in a
 * first-in first-out queue per timeout value (a client usually has one), where they are already in
 * deadline order; finished attempts at the front are dropped as new ones come, and one timer is
 * armed for the front.
 */
import type { Clock } from '../clock.js';
import type { Job } from './job.js';

class Fifo {
  jobs: Job[] = [];
  /** The attempt number each entry timed: a later attempt of the same job is a new entry. */
  attempts: number[] = [];
  at: number[] = [];
  head = 0;

  get size(): number {
    return this.jobs.length - this.head;
  }

  compact(): void {
    if (this.head < 1024 || this.head * 2 < this.jobs.length) return;
    this.jobs = this.jobs.slice(this.head);
    this.attempts = this.attempts.slice(this.head);
    this.at = this.at.slice(this.head);
    this.head = 0;
  }
}

export class Timeouts {
  readonly #queues = new Map<number, Fifo>();
  #timerAt = Number.POSITIVE_INFINITY;
  #cancel: (() => void) | undefined;
  readonly #fire = () => this.#expire();

  constructor(
    private readonly clock: Clock,
    /** Called for an attempt still running at its timeout. */
    private readonly onExpired: (job: Job) => void,
  ) {}

  /** Times the attempt `job` has just started. */
  add(job: Job, now: number): void {
    let fifo = this.#queues.get(job.timeout);
    if (!fifo) {
      fifo = new Fifo();
      this.#queues.set(job.timeout, fifo);
    }
    dropFinished(fifo);
    const at = now + job.timeout;
    fifo.jobs.push(job);
    fifo.attempts.push(job.attempts);
    fifo.at.push(at);
    if (at < this.#timerAt) this.#arm(at, now);
  }

  /** Nothing is in flight: forget every entry and disarm, so no timer keeps the process alive. */
  clear(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#queues.clear();
  }

  #expire(): void {
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#cancel = undefined;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const fifo of this.#queues.values()) {
      while (fifo.size > 0 && fifo.at[fifo.head]! <= now) {
        const job = fifo.jobs[fifo.head]!;
        const attempt = fifo.attempts[fifo.head]!;
        fifo.jobs[fifo.head++] = undefined as unknown as Job; // let the job go
        if (job.state === 'running' && job.attempts === attempt) this.onExpired(job);
      }
      dropFinished(fifo);
      if (fifo.size > 0) next = Math.min(next, fifo.at[fifo.head]!);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next, now);
  }

  #arm(at: number, now: number): void {
    this.#cancel?.();
    this.#timerAt = at;
    this.#cancel = this.clock.setTimer(this.#fire, at - now);
  }
}

/** Drops entries at the front whose attempt has ended: in a steady run, nearly all of them. */
function dropFinished(fifo: Fifo): void {
  while (fifo.size > 0) {
    const job = fifo.jobs[fifo.head]!;
    if (job.state === 'running' && job.attempts === fifo.attempts[fifo.head]) break;
    fifo.jobs[fifo.head++] = undefined as unknown as Job;
  }
  if (fifo.size === 0) {
    fifo.jobs.length = 0;
    fifo.attempts.length = 0;
    fifo.at.length = 0;
    fifo.head = 0;
  } else fifo.compact();
}
