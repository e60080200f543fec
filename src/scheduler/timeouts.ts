/**
 * Many jobs' expiry times on one timer: a lane's per-attempt timeouts, and its calls' deadlines. A
 * timer per attempt or per call (and its closure) is most of what a zero-latency call costs, and
 * nearly all of them are cancelled unfired. Entries go in a first-in first-out queue per duration
 * (a client usually has one), where they are already in expiry order; entries at the front that
 * no longer matter are dropped as new ones come, and one timer is armed for the earliest front.
 */
import type { Clock } from '../clock.js';
import type { Job } from './job.js';

class Fifo {
  jobs: Job[] = [];
  /** What each entry timed, for `live`: an attempt number, so a later attempt is a new entry. */
  tokens: number[] = [];
  at: number[] = [];
  head = 0;

  get size(): number {
    return this.jobs.length - this.head;
  }

  compact(): void {
    if (this.head < 1024 || this.head * 2 < this.jobs.length) return;
    this.jobs = this.jobs.slice(this.head);
    this.tokens = this.tokens.slice(this.head);
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
    /** Called for a live entry whose time has come. */
    private readonly onExpired: (job: Job) => void,
    /** Whether the entry for `job` (with the `token` it was added with) still matters. */
    private readonly live: (job: Job, token: number) => boolean,
  ) {}

  /** Expires `job` after `duration` ms from `now`, if it is still live then. */
  add(job: Job, duration: number, token: number, now: number): void {
    let fifo = this.#queues.get(duration);
    if (!fifo) {
      fifo = new Fifo();
      this.#queues.set(duration, fifo);
    }
    this.#dropDead(fifo);
    const at = now + duration;
    fifo.jobs.push(job);
    fifo.tokens.push(token);
    fifo.at.push(at);
    if (at < this.#timerAt) this.#arm(at, now);
  }

  /** Nothing left to time: forget every entry and disarm, so no timer keeps the process alive. */
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
        const token = fifo.tokens[fifo.head]!;
        fifo.jobs[fifo.head++] = undefined as unknown as Job; // let the job go
        if (this.live(job, token)) this.onExpired(job);
      }
      this.#dropDead(fifo);
      if (fifo.size > 0) next = Math.min(next, fifo.at[fifo.head]!);
    }
    if (next !== Number.POSITIVE_INFINITY && next < this.#timerAt) this.#arm(next, now);
  }

  #arm(at: number, now: number): void {
    this.#cancel?.();
    this.#timerAt = at;
    this.#cancel = this.clock.setTimer(this.#fire, at - now);
  }

  /** Drops entries at the front that no longer matter: in a steady run, nearly all of them. */
  #dropDead(fifo: Fifo): void {
    while (fifo.size > 0 && !this.live(fifo.jobs[fifo.head]!, fifo.tokens[fifo.head]!)) {
      fifo.jobs[fifo.head++] = undefined as unknown as Job;
    }
    if (fifo.size === 0) {
      fifo.jobs.length = 0;
      fifo.tokens.length = 0;
      fifo.at.length = 0;
      fifo.head = 0;
    } else fifo.compact();
  }
}
