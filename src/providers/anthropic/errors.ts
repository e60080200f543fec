/**
 * How Anthropic's Messages API describes its errors. The only place `@anthropic-ai/sdk` errors are
 * read; nothing above the provider sees them.
 */
import type { VolleyError, VolleyErrorCode } from '../../errors.js';
import { codeForStatus, notFoundAdvice, statusLabel } from '../advice.js';
import { type ErrorContext, mapSdkError, type StatusError, sdkMessage, sdkOf } from '../errors.js';
import { isRecord, nonEmpty, toHeaders } from '../shared.js';
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

/** The parts of an Anthropic error body the mapping looks at. */
interface ErrorBody {
  readonly message: string | undefined;
  /** `error.type`: `invalid_request_error`, `rate_limit_error`, `overloaded_error`, ... */
  readonly type: string | undefined;
  /** `error.details.error_code`, when the server names the cause. */
  readonly errorCode: string | undefined;
  readonly requestID: string | undefined;
}

/**
 * `{ type: 'error', error: { type, message, details: { error_code } }, request_id }`, falling back
 * to the SDK's own fields and to a flat `{ message }` from a proxy.
 */
function readBody(error: StatusError): ErrorBody {
  const body = isRecord(error.error) ? error.error : {};
  const inner = isRecord(body['error']) ? body['error'] : body;
  const details = isRecord(inner['details']) ? inner['details'] : {};
  const sdk = error as { type?: unknown; errorCode?: unknown; apiMessage?: unknown };
  const fallback = sdkMessage(error.message);
  return {
    type: nonEmpty(inner['type']) ?? nonEmpty(sdk.type),
    errorCode: nonEmpty(details['error_code']) ?? nonEmpty(sdk.errorCode),
    // A JSON body with no message the mapping could find is not worth quoting whole.
    message:
      nonEmpty(inner['message']) ??
      nonEmpty(sdk.apiMessage) ??
      (fallback?.startsWith('{') ? undefined : fallback),
    requestID: nonEmpty(body['request_id']),
  };
}

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

function classify(status: number | undefined, body: ErrorBody): VolleyErrorCode {
  const as = status ?? STATUS_BY_TYPE[body.type ?? ''] ?? 500;
  const quota =
    body.type === 'billing_error' ||
    (body.errorCode !== undefined && QUOTA_ERROR_CODES.has(body.errorCode)) ||
    QUOTA_MESSAGE.test(body.message ?? '');
  if (as === 400 && CONTEXT_LENGTH_MESSAGE.test(body.message ?? '')) return 'context_length_exceeded';
  // Anthropic reports a low credit balance as a 400 invalid_request_error.
  if (((as === 400 || as === 429) && quota) || as === 402) return 'quota_exceeded';
  return codeForStatus(as);
}

/** The advice only Anthropic's errors allow; else `genericAdvice` is used. */
function advise(code: VolleyErrorCode, status: number | undefined, body: ErrorBody, context: ErrorContext) {
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

/**
 * Maps what the Anthropic SDK, or the fetch beneath it, threw to a `VolleyError` whose message
 * says what to do next. Pure; messages, causes and `toJSON()` never hold a key. The headers kept
 * on the error get their `x-ratelimit-*` equivalents (`headers.ts`).
 */
export function mapAnthropicError(
  error: unknown,
  module: AnthropicModule,
  context: ErrorContext,
): VolleyError {
  const sdk = sdkOf(module, module.AnthropicError, 'Anthropic', 'the Anthropic Messages API');
  return mapSdkError(error, sdk, context, (error) => {
    const body = readBody(error);
    const received = toHeaders(error.headers);
    const headers = received && translateRateLimitHeaders(received);
    const code = classify(error.status, body);
    const requestID = nonEmpty(error.requestID) ?? nonEmpty(headers?.get('request-id')) ?? body.requestID;
    return {
      code,
      advice: advise(code, error.status, body, context),
      headers,
      requestID,
      message: body.message,
    };
  });
}
