/**
 * A request that can never fit the tokens-per-minute limit: no wait will let it through, so it
 * fails at once, alone, without pausing its lane or shrinking the budget every other call shares.
 */
import { VolleyError } from '../errors.js';
import type { Job } from './job.js';

/** Our own check, before sending: what the request reserves against the limit in force. */
export function tooLargeError(
  job: Job,
  promptTokens: number,
  limit: number,
  configured: boolean,
): VolleyError {
  const maxTokens = job.request.maxTokens ?? 0;
  const whose = configured
    ? 'the tokens-per-minute limit configured (limits.tpm, --tpm)'
    : 'the server allows per minute';
  return new VolleyError(
    'request_too_large',
    `This request needs about ${promptTokens + maxTokens} tokens (${promptTokens} in the prompt, ` +
      `${maxTokens} of max_tokens), more than the ${limit} tokens ${whose}, so it can never be sent. ` +
      'Lower max_tokens, shorten the prompt, or split it into smaller requests.',
  );
}

/**
 * The server refused the call as too large: a 429 coded `request_too_large` (its "Request too large
 * ... Limit N, Requested M" body), or one it said not to retry (`x-should-retry: false`).
 */
export function refusedAsTooLarge(error: VolleyError): boolean {
  return error.status === 429 && (error.code === 'request_too_large' || error.retryable === false);
}

/** The server's refusal as the caller sees it: always `request_too_large`, with what to do. */
export function fromServer(error: VolleyError): VolleyError {
  if (error.code === 'request_too_large') return error;
  return new VolleyError(
    'request_too_large',
    `The server refused this request and said not to retry it (${error.message}). A 429 that ` +
      'must not be retried means the request alone exceeds a limit: lower max_tokens, shorten the ' +
      'prompt, or split it into smaller requests.',
    {
      status: error.status,
      headers: error.headers,
      requestID: error.requestID,
      retryable: false,
      cause: error,
    },
  );
}
