import type { VolleyError } from '../errors.js';
import type { ProviderRequest } from '../providers/types.js';
import type { ExponentialBackoff } from '../retry/backoff.js';
import type { Attempt } from './attempt.js';
import type { SentLevels } from './rate-budget.js';
import type { CallResult } from './types.js';

/** Why Volley itself ended an attempt: it tells a timeout from a cancellation from a deadline. */
export type StopReason = 'timeout' | 'deadline' | 'cancelled';

export interface JobInit {
  readonly id: string;
  readonly request: ProviderRequest;
  readonly priority: number;
  /** Arrival order, the tie-breaker within a priority. */
  readonly seq: number;
  readonly enqueuedAt: number;
  /** Per-attempt timeout (ms). */
  readonly timeout: number;
  /** Clock time after which the call fails with `deadline_exceeded`. */
  readonly deadlineAt: number;
  readonly onDelta: ((text: string, attempt: number) => void) | undefined;
}

/**
 * One call's life inside a lane, across all its attempts. A class, not a bag of closures: a
 * zero-latency batch makes hundreds of thousands of these a second, and every closure is garbage.
 * The client subclasses it to say where the outcome goes and to undo what it registered for the
 * call (`release`).
 */
export abstract class Job {
  readonly id: string;
  readonly request: ProviderRequest;
  readonly priority: number;
  readonly seq: number;
  readonly enqueuedAt: number;
  readonly timeout: number;
  readonly deadlineAt: number;
  readonly onDelta: ((text: string, attempt: number) => void) | undefined;
  /**
   * Priority aged by arrival: the order a wait for the same moment gives (a fixed key, so the
   * queue's heap stays valid as time passes). See `PRIORITY_AGING_MS`.
   */
  readonly rank: number;

  state: 'waiting' | 'running' | 'done' = 'waiting';
  /**
   * Tokens reserved against the tokens-per-minute budget (prompt plus output), counted only once
   * the lane has such a budget: without one there is nothing to count for.
   */
  estimate: number | undefined = undefined;
  /** Prompt tokens by the tokenizer, counted once; undefined while only estimated from characters. */
  promptTokens: number | undefined = undefined;
  /** Our budget levels right after this call's attempt took its share; see `RateBudget.observe`. */
  sent: SentLevels | undefined = undefined;
  attempts = 0;
  /** Attempts that failed to connect while the server was unreachable: they do not count. */
  freeAttempts = 0;
  /** A retry waits for `readyAt`, then goes before every call that has not started yet. */
  retry = false;
  readyAt: number;
  waitingSince: number;
  queuedMs = 0;
  /** When the call, at the head of the queue, first found the tokens budget short. */
  tokensShortSince: number | undefined = undefined;
  /** Made on the first retry: most calls never need one. */
  backoff: ExponentialBackoff | undefined = undefined;
  /** The attempt in flight: its abort switch and when it started. */
  attempt: Attempt | undefined = undefined;
  startedAt = 0;
  /** Set when Volley ends the attempt itself, before the provider has answered. */
  stopReason: StopReason | undefined = undefined;

  constructor(init: JobInit) {
    this.id = init.id;
    this.request = init.request;
    this.priority = init.priority;
    this.seq = init.seq;
    this.enqueuedAt = init.enqueuedAt;
    this.timeout = init.timeout;
    this.deadlineAt = init.deadlineAt;
    this.onDelta = init.onDelta;
    this.rank = init.priority - init.enqueuedAt / PRIORITY_AGING_MS;
    this.readyAt = init.enqueuedAt;
    this.waitingSince = init.enqueuedAt;
  }

  /** Attempts that count toward `maxAttempts`. */
  get countedAttempts(): number {
    return this.attempts - this.freeAttempts;
  }

  /** Undoes what the caller registered for the call (an abort listener). */
  release(): void {}

  /** The call succeeded; called once, after `release`. */
  abstract resolve(result: CallResult): void;
  /** The call failed for good; called once, after `release`. */
  abstract reject(error: VolleyError): void;
}

/**
 * A call that has waited this many ms longer than another counts as one priority level higher.
 * Without it a flow's deeper steps (then a whole level per step) starved the first step of a new
 * input: in the article chain under 600 rpm the last input's outline waited 12 s, went out 0.7 s
 * before the end, and its sections and intro then ran on an idle budget (40.5 s against the 39.4 s
 * ideal). Flows now state their steps' head start in ms against it (`flows/call.ts`).
 */
export const PRIORITY_AGING_MS = 2000;

/** Retries first, then higher priority, aged by the wait (`PRIORITY_AGING_MS`), then first come. */
export function runsBefore(a: Job, b: Job): boolean {
  if (a.retry !== b.retry) return a.retry;
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.seq < b.seq;
}

export function readyBefore(a: Job, b: Job): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}
