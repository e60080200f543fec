/**
 * What both providers say about a 200 that is not an answer the caller can use: a body that is not
 * the API's, an answer the model or a filter withheld, a message with nothing in it, a stream cut
 * short. Each error keeps the status, headers and request id of the answer it is about.
 */
import { ConnectionError, VolleyError } from '../errors.js';
import { isRecord } from './shared.js';

type ResponseMeta = { status: number; headers: Headers; requestID: string | undefined };

/** An error reading an answer's body, with the answer's status, headers and request id. */
export function withMeta(error: unknown, meta: ResponseMeta): unknown {
  if (!(error instanceof VolleyError) || error.status !== undefined) return error;
  const { retryable, cause } = error;
  return new VolleyError(error.code, error.message, { ...meta, retryable, cause });
}

export function streamEndedEarly(baseURL: string, meta: ResponseMeta): ConnectionError {
  return new ConnectionError(
    `The stream from ${baseURL} ended before the server finished its answer. ` +
      'A later attempt may succeed; if it keeps happening, call without streaming.',
    meta,
  );
}

/** `malformed_response` about a body from `baseURL`; `api` says what the base URL should point at. */
export function malformed(baseURL: string, api: string, what: string, retryable?: boolean): VolleyError {
  const message = `The server at ${baseURL} answered ${what}. Check that the base URL points at ${api}.`;
  return new VolleyError('malformed_response', message, { retryable });
}

/** Why `body` is not an answer whose parts are in the list `list`, for a `malformed` message. */
export function describeBody(body: unknown, list: string): string {
  if (body === undefined || body === null || body === '') return 'the body was empty';
  if (typeof body === 'string') return 'the body was not JSON';
  if (!isRecord(body)) return 'the body was not a JSON object';
  return Array.isArray(body[list]) ? `the first of "${list}" was not one` : `no "${list}" list`;
}

/** An answer the model or the server's filter withheld: the same input will be withheld again. */
export function withheld(what: string): VolleyError {
  const message = `${what} Rephrase the request; retrying the same input will usually not help.`;
  return new VolleyError('content_filtered', message);
}

/**
 * A message with neither text nor tool calls. Out of tokens before the first word (a reasoning
 * model thinking), the same call ends the same way: not worth retrying.
 */
export function emptyAnswer(baseURL: string, api: string, stop: string | null, outOfTokens: boolean) {
  return outOfTokens
    ? malformed(baseURL, api, `no text before max_tokens ran out (stop "${stop}"); raise maxTokens`, false)
    : malformed(baseURL, api, `a message with neither text nor tool calls (stop ${JSON.stringify(stop)})`);
}
