/** The scheduler's use of the retry policy: whether a failed call goes again, after a known wait. */
import type { VolleyError } from '../errors.js';
import { shouldRetry } from '../retry/decide.js';
import type { Job } from './job.js';

export type RetryPlan = 'retry' | 'give-up' | 'past-deadline';

/**
 * `delay` is the wait already decided (the server's advice, a 429 pause, backoff); a retry that
 * would start past the call's deadline fails now with `deadline_exceeded` instead. Attempts that
 * failed to connect during an outage are not counted (`Job.countedAttempts`).
 */
export function planRetry(
  job: Job,
  error: VolleyError,
  maxAttempts: number,
  delay: number,
  now: number,
): RetryPlan {
  if (!shouldRetry(error) || job.countedAttempts >= maxAttempts) return 'give-up';
  return now + delay >= job.deadlineAt ? 'past-deadline' : 'retry';
}
