/**
 * What an error status means when nothing more specific is known, and what to do next about each
 * code, in words that hold whichever server answered. The providers refine both from their bodies.
 */
import type { VolleyErrorCode } from '../errors.js';
import type { ErrorContext } from './errors.js';

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

/** `HTTP 429`, or where an error without a status was reported. */
export function statusLabel(status: number | undefined): string {
  return status === undefined ? 'reported in the stream' : `HTTP ${status}`;
}

const WONT_HELP = 'retrying will not help.';
const ADVICE: Partial<Record<VolleyErrorCode, (label: string, context: ErrorContext) => string>> = {
  content_filtered: (l) =>
    `The server's content filter blocked the request (${l}). Rephrase the input; ${WONT_HELP}`,
  bad_request: (l) => `The server rejected the request as invalid (${l}). Fix the request; ${WONT_HELP}`,
  authentication: (l, { keyEnv }) =>
    `The server rejected the API key (${l}). Check ${keyEnv} (or the key you gave in its place) and the base URL.`,
  permission_denied: (l) =>
    `The API key is not allowed to do this (${l}). Check the key's access to the model.`,
  request_timeout: (l) =>
    `The server gave up waiting for the request (${l}). A later attempt may succeed; if it keeps happening, send smaller requests.`,
  conflict: (l) => `The server reported a conflict (${l}). A later attempt may succeed.`,
  unprocessable: (l) =>
    `The server could not process the request (${l}). Check the request parameters; ${WONT_HELP}`,
  rate_limited: (l) =>
    `The server is rate limiting this account (${l}). If this persists after Volley's retries, lower the configured rate limits or ask the provider for higher ones.`,
  quota_exceeded: (l) =>
    `The account has run out of quota or credit, or reached its spend limit (${l}). Add credit or raise the limit; ${WONT_HELP}`,
};

/** What to do next about an error with `code`; `message` is the server's, read for figures it states. */
export function genericAdvice(
  code: VolleyErrorCode,
  status: number | undefined,
  message: string | undefined,
  context: ErrorContext,
): string {
  const label = statusLabel(status);
  if (code === 'context_length_exceeded') {
    // The window when the server states it ("maximum context length is 4096 tokens", "> 200000 maximum").
    const stated = /context length is (\d[\d,]*)|> ?(\d[\d,]*) maximum|context window of (\d[\d,]*)/i.exec(
      message ?? '',
    );
    const window = figure(stated?.[1] ?? stated?.[2] ?? stated?.[3]);
    const of = window === undefined ? '' : ` of ${window} tokens`;
    return `The prompt and maxTokens together exceed the model's context window${of} (${label}). Shorten the input or lower maxTokens; ${WONT_HELP}`;
  }
  if (code === 'not_found')
    return notFoundAdvice(status, context, 'exists there and that the base URL is right');
  if (status === 501) {
    return `The server does not implement this request (${label}). Check that the base URL points at the right API; ${WONT_HELP}`;
  }
  return (
    ADVICE[code]?.(label, context) ??
    `The server failed to answer (${label}). This is usually temporary; a later attempt may succeed.`
  );
}

/** The 404 advice, naming the model and the server; `check` says what to check about them. */
export function notFoundAdvice(status: number | undefined, context: ErrorContext, check: string): string {
  const model = context.model === undefined ? 'the model' : `model "${context.model}"`;
  return `The server at ${context.baseURL} has no such model or endpoint (${statusLabel(status)}). Check that ${model} ${check}.`;
}

/**
 * The advice for a 429 no wait will fix, because the request alone needs more tokens than the
 * tokens-per-minute limit: the body says "Request too large", or the server says not to retry
 * (`x-should-retry: false`) about a tokens limit. Undefined for any other failure.
 */
export function tooLargeAdvice(status: number | undefined, message = '', headers?: Headers) {
  const limitHeader = headers?.get('x-ratelimit-limit-tokens') ?? undefined;
  const refused =
    headers?.get('x-should-retry') === 'false' && (/\btokens?\b|\bTPM\b/i.test(message) || limitHeader);
  if (status !== 429 || !(/request too large/i.test(message) || refused)) return undefined;
  const limit = figure(/\blimit(?::|\s+of)?\s*(\d[\d,]*)/i.exec(message)?.[1] ?? limitHeader);
  const requested = figure(/\brequested:?\s*(\d[\d,]*)/i.exec(message)?.[1]);
  const asked = requested === undefined ? '' : `, requested ${requested}`;
  const figures = limit === undefined ? '' : ` (limit ${limit} tokens per minute${asked})`;
  return (
    `The request alone needs more tokens than the tokens-per-minute limit allows${figures}, so no wait will let it through (${statusLabel(status)}). ` +
    'Lower max_tokens, shorten the prompt, or split it into smaller requests.'
  );
}

function figure(text: string | undefined): number | undefined {
  const value = text === undefined ? Number.NaN : Number(text.replaceAll(',', ''));
  return Number.isFinite(value) ? value : undefined;
}
