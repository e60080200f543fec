/** The scheduler's use of the retry policy: whether and when a failed call goes again. */
import type { VolleyError } from '../errors.js';
import { retryDelay, shouldRetry, stopsLane } from '../retry/decide.js';
import type { Job } from './job.js';

export interface RetryPlan {
  /** Wait before the next attempt (ms), or undefined to give up. */
  readonly delay: number | undefined;
  /** The failure is shared by every call of the lane (bad key, no quota, no such model). */
  readonly stopLane: boolean;
  /** The wait would end past the call's deadline: fail now with `deadline_exceeded`. */
  readonly pastDeadline?: boolean;
}

export function planRetry(
  job: Job,
  error: VolleyError,
  maxAttempts: number,
  random: () => number,
  now: number,
  pausedUntil: number,
): RetryPlan {
  if (stopsLane(error)) return { delay: undefined, stopLane: true };
  if (!shouldRetry(error) || job.attempts >= maxAttempts) return { delay: undefined, stopLane: false };
  // A retry never starts before a 429 pause ends; starting then, it goes first.
  const delay = Math.max(retryDelay(error, job.backoff, random), pausedUntil - now);
  if (now + delay >= job.deadlineAt) return { delay: undefined, stopLane: false, pastDeadline: true };
  return { delay, stopLane: false };
}
