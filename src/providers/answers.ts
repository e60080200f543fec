/**
 * What both providers say about a 200 that is not an answer the caller can use: a body that is not
 * the API's, an answer the model or a filter withheld, and a message with nothing in it.
 */
import { VolleyError } from '../errors.js';
import { isRecord } from './shared.js';

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
  const parts = body[list];
  return Array.isArray(parts) ? `the first of "${list}" was not one` : `no "${list}" list`;
}

/** An answer the model or the server's filter withheld: the same input will be withheld again. */
export function withheld(what: string): VolleyError {
  return new VolleyError(
    'content_filtered',
    `${what} Rephrase the request; retrying the same input will usually not help.`,
  );
}

/**
 * A message with neither text nor tool calls. When it ran out of tokens before the first word (a
 * reasoning model thinking), the same call ends the same way, so it is not worth retrying.
 */
export function emptyAnswer(
  baseURL: string,
  api: string,
  stop: string | null,
  outOfTokens: boolean,
): VolleyError {
  return outOfTokens
    ? malformed(baseURL, api, `no text before max_tokens ran out (stop "${stop}"); raise maxTokens`, false)
    : malformed(baseURL, api, `a message with neither text nor tool calls (stop ${JSON.stringify(stop)})`);
}
