import type { VolleyError } from '../errors.js';
import type { ProviderRequest } from '../providers/types.js';
import type { ExponentialBackoff } from '../retry/backoff.js';
import type { SentLevels } from './rate-budget.js';
import type { CallResult } from './types.js';

/** Why Volley itself ended an attempt: it tells a timeout from a cancellation from a deadline. */
export type StopReason = 'timeout' | 'deadline' | 'cancelled';

/** One call's life inside a lane, across all its attempts. */
export interface Job {
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
  readonly resolve: (result: CallResult) => void;
  readonly reject: (error: VolleyError) => void;

  state: 'waiting' | 'running' | 'done';
  /**
   * Tokens reserved against the tokens-per-minute budget (prompt plus output), counted only once
   * the lane has such a budget: without one there is nothing to count for.
   */
  estimate: number | undefined;
  /** Prompt tokens, counted once, when first needed. */
  promptTokens: number | undefined;
  /** Our budget levels right after this call's attempt took its share; see `RateBudget.observe`. */
  sent: SentLevels | undefined;
  attempts: number;
  /** A retry waits for `readyAt`, then goes before every call that has not started yet. */
  retry: boolean;
  readyAt: number;
  waitingSince: number;
  queuedMs: number;
  backoff: ExponentialBackoff;
  /** Aborts the attempt in flight. */
  attempt: AbortController | undefined;
  /** Set when Volley ends the attempt itself, before the provider has answered. */
  stopReason: StopReason | undefined;
  /** Undo what the call registered: its deadline timer and its caller's abort listener. */
  dispose: () => void;
}

/** Retries first, then higher priority, then first come. */
export function runsBefore(a: Job, b: Job): boolean {
  if (a.retry !== b.retry) return a.retry;
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.seq < b.seq;
}

export function readyBefore(a: Job, b: Job): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}
