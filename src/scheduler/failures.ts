/** Turning what an attempt threw into the error the caller sees, with Volley's own reasons first. */
import { AbortError, TimeoutError, VolleyError } from '../errors.js';
import type { Job } from './job.js';

/** The error of one attempt: Volley's reason for aborting it wins over what the provider reported. */
export function attemptError(job: Job, thrown: unknown): VolleyError {
  if (job.stopReason === 'timeout') {
    return new TimeoutError(
      'timeout',
      `The attempt took longer than its ${job.timeout} ms timeout and was aborted. Raise the timeout if answers are long.`,
      { cause: thrown },
    );
  }
  if (thrown instanceof VolleyError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new VolleyError('unexpected', `The provider failed in a way Volley does not know: ${detail}`, {
    cause: thrown,
  });
}

/** The error a call settles with, stamped with its attempt count. */
export function finalError(job: Job, error: VolleyError | undefined, now: number): VolleyError {
  let final = error;
  if (job.stopReason === 'cancelled') final = new AbortError(undefined, { cause: error });
  if (job.stopReason === 'deadline') {
    const waited = Math.round(now - job.enqueuedAt);
    final = new TimeoutError(
      'deadline_exceeded',
      `The call did not finish within its deadline (${waited} ms after it was queued). Raise the deadline or lower the load.`,
      { cause: error },
    );
  }
  final ??= new VolleyError('unexpected', 'The call ended without an error or a result.');
  final.attempts = job.attempts;
  return final;
}

/** What every waiting call of a stopped lane gets: the stopping error's code and advice. */
export function laneStoppedError(cause: VolleyError): VolleyError {
  return new VolleyError(
    cause.code,
    `${cause.message} (Every call to this model was stopped without being sent.)`,
    {
      status: cause.status,
      requestID: cause.requestID,
      cause,
    },
  );
}
