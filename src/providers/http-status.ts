/**
 * What an HTTP error status means when nothing more specific is known, and the advice for each
 * `VolleyErrorCode` in the words every provider can use. Providers refine both from their error
 * bodies (see `openai-errors.ts`, `anthropic-errors.ts`).
 */
import type { VolleyErrorCode } from '../errors.js';
import type { SdkErrorContext } from './sdk-error-profile.js';

const BY_STATUS: Readonly<Record<number, VolleyErrorCode>> = {
  400: 'bad_request',
  401: 'authentication',
  403: 'permission_denied',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  422: 'unprocessable',
  429: 'rate_limited',
};

/** The code for an error status by the status alone: other 4xx are bad requests, the rest server errors. */
export function codeForStatus(status: number): VolleyErrorCode {
  return BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'bad_request' : 'server_error');
}

/**
 * What to do next about an error with `code`, in words that hold whichever server answered.
 * `label` names the status (`'429'`) or says `'in the stream'`.
 */
export function genericAdvice(code: VolleyErrorCode, label: string): string {
  switch (code) {
    case 'context_length_exceeded':
      return `The prompt and maxTokens together exceed the model's context window (${label}). Shorten the input or lower maxTokens; retrying will not help.`;
    case 'content_filtered':
      return `The server's content filter blocked the request (${label}). Rephrase the input; retrying the same input will not help.`;
    case 'bad_request':
      return `The server rejected the request as invalid (${label}). Fix the request; retrying will not help.`;
    case 'authentication':
      return `The server rejected the API key (${label}). Check the key and the base URL you configured.`;
    case 'permission_denied':
      return `The API key is not allowed to do this (${label}). Check the key's access to the model.`;
    case 'not_found':
      return `The server has no such model or endpoint (${label}). Check the model name and the base URL.`;
    case 'request_timeout':
      return `The server gave up waiting for the request (${label}). A later attempt may succeed; if it keeps happening, send smaller requests.`;
    case 'conflict':
      return `The server reported a conflict (${label}). A later attempt may succeed.`;
    case 'unprocessable':
      return `The server could not process the request (${label}). Check the request parameters; retrying will not help.`;
    case 'rate_limited':
      return `The server is rate limiting this account (${label}). If this persists, lower the concurrency or the configured rate limits.`;
    case 'quota_exceeded':
      return `The account has run out of quota or credit, or reached its spend limit (${label}). Add credit or raise the limit; retrying will not help.`;
    default:
      return `The server failed to answer (${label}). This is usually temporary; a later attempt may succeed.`;
  }
}

/** The 404 advice, naming the model and the server in `context`; `check` says what to check about them. */
export function notFoundAdvice(label: string, context: SdkErrorContext, check: string): string {
  const model = context.model === undefined ? 'the model' : `model "${context.model}"`;
  const at = context.baseURL === undefined ? '' : ` at ${context.baseURL}`;
  return `The server${at} has no such model or endpoint (${label}). Check that ${model} ${check}.`;
}
