/**
 * How Anthropic's Messages API describes its errors, for `mapSdkError`. This is the only place
 * `@anthropic-ai/sdk` errors are interpreted; nothing above the provider sees them.
 */
import {
  AnthropicError as SDKAnthropicError,
  APIError as SDKAPIError,
  APIConnectionError as SDKConnectionError,
  APIConnectionTimeoutError as SDKConnectionTimeoutError,
  APIUserAbortError as SDKUserAbortError,
} from '@anthropic-ai/sdk';
import type { VolleyError, VolleyErrorCode } from '../errors.js';
import { translateRateLimitHeaders } from './anthropic-headers.js';
import { codeForStatus, notFoundAdvice } from './http-status.js';
import type { SdkErrorBody, SdkErrorContext, SdkErrorProfile, SdkStatusError } from './sdk-error-profile.js';
import { mapSdkError, nonEmpty, sdkMessage } from './sdk-errors.js';
import { isRecord } from './shared.js';

/** What the provider knows about the failed call, to make messages precise. All optional. */
export type AnthropicErrorContext = SdkErrorContext;

/** Anthropic's wording when the prompt plus `max_tokens` does not fit ("prompt is too long: ..."). */
const CONTEXT_LENGTH_MESSAGE =
  /prompt is too long|context (?:window|length|limit)|maximum context length|input length and `?max_tokens`? exceed/i;
/** Anthropic's wording when the account cannot pay ("Your credit balance is too low ..."). */
const QUOTA_MESSAGE =
  /credit balance|billing|out of credits?|insufficient (?:credits?|balance|funds|quota)|spend(?:ing)? limit|usage limit/i;
/** `error.details.error_code` values that mean money, not speed. */
const QUOTA_ERROR_CODES = new Set(['contract_spend_limit_reached', 'enforced_spend_limit_reached']);

/** The parts of an Anthropic error body the mapping looks at. */
interface ErrorBody extends SdkErrorBody {
  /** `error.type`: `invalid_request_error`, `rate_limit_error`, `overloaded_error`, ... */
  readonly type: string | undefined;
  /** `error.details.error_code`, when the server names the cause. */
  readonly errorCode: string | undefined;
}

/**
 * Reads `{ type: 'error', error: { type, message, details: { error_code } }, request_id }`, the
 * shape Anthropic sends, falling back to the SDK's own fields and to a flat `{ message }` from a
 * proxy.
 */
function readBody(error: SdkStatusError): ErrorBody {
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

function isQuota(body: ErrorBody): boolean {
  return (
    body.type === 'billing_error' ||
    (body.errorCode !== undefined && QUOTA_ERROR_CODES.has(body.errorCode)) ||
    QUOTA_MESSAGE.test(body.message ?? '')
  );
}

function classifyStatus(status: number, body: ErrorBody): VolleyErrorCode {
  if (status === 400 && CONTEXT_LENGTH_MESSAGE.test(body.message ?? '')) return 'context_length_exceeded';
  // Anthropic reports a low credit balance as a 400 invalid_request_error.
  if ((status === 400 || status === 429) && isQuota(body)) return 'quota_exceeded';
  if (status === 402) return 'quota_exceeded';
  return codeForStatus(status);
}

/** An `error` event inside a 200 stream has no status: classified by its type. */
function classifyStreamError(body: ErrorBody): VolleyErrorCode {
  switch (body.type) {
    case 'invalid_request_error':
      return classifyStatus(400, body);
    case 'authentication_error':
      return 'authentication';
    case 'billing_error':
      return 'quota_exceeded';
    case 'permission_error':
      return 'permission_denied';
    case 'not_found_error':
      return 'not_found';
    case 'request_too_large':
      return 'bad_request';
    case 'rate_limit_error':
      return classifyStatus(429, body);
    default:
      // api_error, overloaded_error, timeout_error and anything new.
      return 'server_error';
  }
}

function advise(
  code: VolleyErrorCode,
  label: string,
  status: number | undefined,
  body: ErrorBody,
  context: SdkErrorContext,
): string | undefined {
  switch (code) {
    case 'bad_request':
      return status === 413 || body.type === 'request_too_large'
        ? `The request is larger than the server accepts (${label}). Send less input (fewer or smaller images and documents); retrying will not help.`
        : undefined;
    case 'authentication':
      return `The server rejected the API key (${label}). Check ${context.keyEnv ?? 'ANTHROPIC_API_KEY'} or the apiKey/baseURL you passed.`;
    case 'permission_denied':
      return `The API key is not allowed to do this (${label}). Check the key's workspace and its access to the model.`;
    case 'not_found':
      return notFoundAdvice(
        label,
        context,
        'exists and is spelled right, and that the base URL has no /v1 suffix (the SDK adds /v1/messages)',
      );
    case 'server_error':
      return status === 529 || body.type === 'overloaded_error'
        ? `The Anthropic API is overloaded (${label}). This is temporary; a later attempt may succeed.`
        : undefined;
    default:
      return undefined;
  }
}

const ANTHROPIC_ERRORS: SdkErrorProfile<ErrorBody> = {
  classes: {
    userAbort: SDKUserAbortError,
    connectionTimeout: SDKConnectionTimeoutError,
    connection: SDKConnectionError,
    status: SDKAPIError,
    base: SDKAnthropicError,
  },
  sdkName: 'Anthropic',
  api: 'the Anthropic Messages API',
  server: 'the Anthropic API',
  requestIDHeader: 'request-id',
  readBody,
  classifyStatus,
  classifyStreamError,
  advise,
  adjustHeaders: (headers) => translateRateLimitHeaders(headers),
};

/**
 * Maps an error thrown by the Anthropic SDK, or by the fetch it uses, to a `VolleyError` whose
 * message tells the user what to do next. Pure: reads `error`, never changes it. Messages, causes
 * and `toJSON()` never contain the configured key (`context.secrets`) or anything shaped like one.
 * Rate-limit headers on the error get their `x-ratelimit-*` equivalents added.
 */
export function mapAnthropicError(error: unknown, context: AnthropicErrorContext = {}): VolleyError {
  return mapSdkError(error, ANTHROPIC_ERRORS, context);
}
