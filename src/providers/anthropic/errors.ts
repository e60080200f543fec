/**
 * How Anthropic's Messages API describes its errors. The only place `@anthropic-ai/sdk` errors are
 * read; nothing above the provider sees them.
 */
import type { VolleyError, VolleyErrorCode } from '../../errors.js';
import { codeForStatus, notFoundAdvice, statusLabel } from '../advice.js';
import { type ErrorBody, type ErrorContext, mapSdkError } from '../errors.js';
import { translateRateLimitHeaders } from './headers.js';

export type AnthropicModule = typeof import('@anthropic-ai/sdk');

/** Anthropic's wording when the prompt plus `max_tokens` does not fit ("prompt is too long: ..."). */
const CONTEXT_LENGTH_MESSAGE =
  /prompt is too long|context (?:window|length|limit)|maximum context length|input length and `?max_tokens`? exceed/i;
/** Anthropic's wording when the account cannot pay ("Your credit balance is too low ..."). */
const QUOTA_MESSAGE =
  /credit balance|billing|out of credits?|insufficient (?:credits?|balance|funds|quota)|spend(?:ing)? limit|usage limit/i;
/** `error.details.error_code` values that mean money, not speed. */
const QUOTA_ERROR_CODES = new Set(['contract_spend_limit_reached', 'enforced_spend_limit_reached']);

/** An `error` event inside a 200 stream has no status: its type stands for one. */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
};

function classify(body: ErrorBody): VolleyErrorCode {
  const as = body.status ?? STATUS_BY_TYPE[body.type ?? ''] ?? 500;
  const quota =
    body.type === 'billing_error' ||
    (body.errorCode !== undefined && QUOTA_ERROR_CODES.has(body.errorCode)) ||
    QUOTA_MESSAGE.test(body.message ?? '');
  if (as === 400 && CONTEXT_LENGTH_MESSAGE.test(body.message ?? '')) return 'context_length_exceeded';
  // Anthropic reports a low credit balance as a 400 invalid_request_error.
  if (((as === 400 || as === 429) && quota) || as === 402) return 'quota_exceeded';
  return codeForStatus(as);
}

function advise(code: VolleyErrorCode, body: ErrorBody, context: ErrorContext) {
  const { status } = body;
  const label = statusLabel(status);
  if (code === 'bad_request' && (status === 413 || body.type === 'request_too_large')) {
    return `The request is larger than the server accepts (${label}). Send less input (fewer or smaller images and documents); retrying will not help.`;
  }
  if (code === 'not_found') {
    const check =
      'exists and is spelled right, and that the base URL has no /v1 suffix (the SDK adds /v1/messages)';
    return notFoundAdvice(status, context, check);
  }
  if (code === 'server_error' && (status === 529 || body.type === 'overloaded_error')) {
    return `The Anthropic API is overloaded (${label}). This is temporary; a later attempt may succeed.`;
  }
  return undefined;
}

const ANTHROPIC = {
  name: 'Anthropic',
  api: 'the Anthropic Messages API',
  requestIDHeader: 'request-id',
  // The headers kept on the error get their `x-ratelimit-*` equivalents too.
  headers: translateRateLimitHeaders,
  classify,
  advise,
};

/** Maps what the Anthropic SDK, or the fetch beneath it, threw to a `VolleyError`. */
export function mapAnthropicError(error: unknown, sdk: AnthropicModule, context: ErrorContext): VolleyError {
  return mapSdkError(error, { ...sdk, base: sdk.AnthropicError, ...ANTHROPIC }, context);
}
