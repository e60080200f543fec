/**
 * Maps whatever the `@anthropic-ai/sdk` SDK (or the fetch beneath it) throws to a `VolleyError`.
 * This is the only place Anthropic SDK errors are interpreted; nothing above the provider sees them.
 */
import {
  AnthropicError as SDKAnthropicError,
  APIError as SDKAPIError,
  APIConnectionError as SDKConnectionError,
  APIConnectionTimeoutError as SDKConnectionTimeoutError,
  APIUserAbortError as SDKUserAbortError,
} from '@anthropic-ai/sdk';
import {
  AbortError,
  APIError,
  ConnectionError,
  TimeoutError,
  VolleyError,
  type VolleyErrorCode,
} from '../errors.js';
import { translateRateLimitHeaders } from './anthropic-headers.js';
import { isRecord, quote, redactSecrets, toHeaders } from './shared.js';

/** What the provider knows about the failed call, to make messages precise. All optional. */
export interface AnthropicErrorContext {
  /** The model the request named; quoted in 404 messages. */
  readonly model?: string | undefined;
  /** The server the request went to; quoted in 404 and connection messages. */
  readonly baseURL?: string | undefined;
  /** Credentials to scrub from every message, on top of anything shaped like an API key. */
  readonly secrets?: readonly string[] | undefined;
  /** The environment variable the key came from, named in 401 messages. */
  readonly keyEnv?: string | undefined;
}

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
  /** `error.type`: `invalid_request_error`, `rate_limit_error`, `overloaded_error`, ... */
  readonly type: string | undefined;
  /** `error.details.error_code`, when the server names the cause. */
  readonly errorCode: string | undefined;
  /** The server's own message, unredacted. */
  readonly message: string | undefined;
  readonly requestID: string | undefined;
}

/**
 * Maps an error thrown by the Anthropic SDK, or by the fetch it uses, to a `VolleyError` whose
 * message tells the user what to do next. Pure: reads `error`, never changes it. Messages, causes
 * and `toJSON()` never contain the configured key (`context.secrets`) or anything shaped like one.
 * Rate-limit headers on the error get their `x-ratelimit-*` equivalents added.
 */
export function mapAnthropicError(error: unknown, context: AnthropicErrorContext = {}): VolleyError {
  const secrets = context.secrets ?? [];
  if (error instanceof VolleyError) return error;

  // Subclasses before their parents: a timeout is a connection error, and both are APIErrors.
  if (error instanceof SDKUserAbortError) return new AbortError();
  if (error instanceof SDKConnectionTimeoutError) {
    return new TimeoutError(
      'timeout',
      `The connection to ${where(context)} timed out before an answer arrived. ` +
        'Check that the server is reachable; a later attempt may succeed.',
      { cause: safeCause(error, secrets) },
    );
  }
  if (error instanceof SDKConnectionError) return connectionError(error.cause ?? error, context);

  if (error instanceof SDKAPIError || isStatusErrorLike(error)) return statusError(error, context);

  if (error instanceof SyntaxError) {
    return new VolleyError(
      'malformed_response',
      `The server at ${where(context)} sent a body that is not valid JSON (${quote(error.message, secrets, 120)}). ` +
        'Check that the base URL points at the Anthropic Messages API.',
      { cause: safeCause(error, secrets) },
    );
  }
  if (error instanceof SDKAnthropicError) {
    if (/no body/i.test(error.message)) {
      return new VolleyError(
        'malformed_response',
        `The server at ${where(context)} sent a response without a body. ` +
          'Check that the base URL points at the Anthropic Messages API.',
        { cause: safeCause(error, secrets) },
      );
    }
    return new VolleyError(
      'invalid_request',
      `The Anthropic SDK refused to send the request: ${quote(error.message, secrets)}. ` +
        'Check the provider options and the request parameters.',
      { cause: safeCause(error, secrets) },
    );
  }
  if (isRecord(error) && (error as { name?: unknown }).name === 'AbortError') {
    return new AbortError(undefined, { cause: error });
  }
  // Anything else comes from the transport, typically while a streamed body is read
  // (`TypeError: terminated`, an ECONNRESET), which the SDK does not wrap.
  return connectionError(error, context);
}

function where(context: AnthropicErrorContext): string {
  return context.baseURL ?? 'the Anthropic API';
}

/** A status error from another copy of the SDK, which `instanceof` would miss. */
function isStatusErrorLike(error: unknown): error is SDKAPIError {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'headers' in error &&
    'error' in error
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads `{ type: 'error', error: { type, message, details: { error_code } }, request_id }`, the
 * shape Anthropic sends, falling back to the SDK's own fields and to a flat `{ message }` from a
 * proxy.
 */
function readBody(error: SDKAPIError): ErrorBody {
  const body = isRecord(error.error) ? error.error : {};
  const inner = isRecord(body['error']) ? body['error'] : body;
  const details = isRecord(inner['details']) ? inner['details'] : {};
  const sdk = error as { type?: unknown; errorCode?: unknown; apiMessage?: unknown };
  return {
    type: text(inner['type']) ?? text(sdk.type),
    errorCode: text(details['error_code']) ?? text(sdk.errorCode),
    message: text(inner['message']) ?? text(sdk.apiMessage) ?? fallbackMessage(error.message),
    requestID: text(body['request_id']),
  };
}

/** The SDK's message minus its status prefix; nothing when it only says there was no body. */
function fallbackMessage(message: string): string | undefined {
  const rest = message.replace(/^\d{3} /, '');
  if (rest === '' || /^status code \(no body\)$|^\(no status code or body\)$/.test(rest)) return undefined;
  // A JSON body with no message the mapping could find: not worth quoting whole.
  return rest.startsWith('{') ? undefined : rest;
}

function isContextLength(body: ErrorBody): boolean {
  return CONTEXT_LENGTH_MESSAGE.test(body.message ?? '');
}

function isQuota(body: ErrorBody): boolean {
  return (
    body.type === 'billing_error' ||
    (body.errorCode !== undefined && QUOTA_ERROR_CODES.has(body.errorCode)) ||
    QUOTA_MESSAGE.test(body.message ?? '')
  );
}

function codeForStatus(status: number, body: ErrorBody): VolleyErrorCode {
  switch (status) {
    case 400:
      if (isContextLength(body)) return 'context_length_exceeded';
      // Anthropic reports a low credit balance as a 400 invalid_request_error.
      if (isQuota(body)) return 'quota_exceeded';
      return 'bad_request';
    case 401:
      return 'authentication';
    case 402:
      return 'quota_exceeded';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 408:
      return 'request_timeout';
    case 409:
      return 'conflict';
    case 413:
      return 'bad_request';
    case 422:
      return 'unprocessable';
    case 429:
      return isQuota(body) ? 'quota_exceeded' : 'rate_limited';
    default:
      return status >= 400 && status < 500 ? 'bad_request' : 'server_error';
  }
}

/** An `error` event inside a 200 stream has no status: classify it by its type. */
function codeForStreamError(body: ErrorBody): VolleyErrorCode {
  switch (body.type) {
    case 'invalid_request_error':
      return codeForStatus(400, body);
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
      return codeForStatus(429, body);
    default:
      // api_error, overloaded_error, timeout_error and anything new.
      return 'server_error';
  }
}

function statusError(error: SDKAPIError, context: AnthropicErrorContext): VolleyError {
  const secrets = context.secrets ?? [];
  const body = readBody(error);
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code = status === undefined ? codeForStreamError(body) : codeForStatus(status, body);
  const received = toHeaders(error.headers);
  const headers = received === undefined ? undefined : translateRateLimitHeaders(received);
  const requestID = text(error.requestID) ?? text(headers?.get('request-id')) ?? body.requestID ?? undefined;
  const said = body.message === undefined ? '' : ` Server said: "${quote(body.message, secrets)}"`;
  const label = status === undefined ? 'in the stream' : String(status);
  const message = `${advice(code, label, status, body, context)}${said}`;
  return new APIError(code, message, { status, headers, requestID, cause: safeCause(error, secrets) });
}

function advice(
  code: VolleyErrorCode,
  label: string,
  status: number | undefined,
  body: ErrorBody,
  context: AnthropicErrorContext,
): string {
  switch (code) {
    case 'context_length_exceeded':
      return `The prompt and maxTokens together exceed the model's context window (${label}). Shorten the input or lower maxTokens; retrying will not help.`;
    case 'bad_request':
      return status === 413 || body.type === 'request_too_large'
        ? `The request is larger than the server accepts (${label}). Send less input (fewer or smaller images and documents); retrying will not help.`
        : `The server rejected the request as invalid (${label}). Fix the request; retrying will not help.`;
    case 'authentication':
      return `The server rejected the API key (${label}). Check ${context.keyEnv ?? 'ANTHROPIC_API_KEY'} or the apiKey/baseURL you passed.`;
    case 'permission_denied':
      return `The API key is not allowed to do this (${label}). Check the key's workspace and its access to the model.`;
    case 'not_found': {
      const model = context.model === undefined ? 'the model' : `model "${context.model}"`;
      const at = context.baseURL === undefined ? '' : ` at ${context.baseURL}`;
      return `The server${at} has no such model or endpoint (${label}). Check that ${model} exists and is spelled right, and that the base URL has no /v1 suffix (the SDK adds /v1/messages).`;
    }
    case 'request_timeout':
      return `The server gave up waiting for the request (${label}). A later attempt may succeed.`;
    case 'conflict':
      return `The server reported a conflict (${label}). A later attempt may succeed.`;
    case 'unprocessable':
      return `The server could not process the request (${label}). Check the request parameters; retrying will not help.`;
    case 'rate_limited':
      return `The server is rate limiting this account (${label}). If this persists, lower the concurrency or the configured rate limits.`;
    case 'quota_exceeded':
      return `The account has run out of credit or reached its spend limit (${label}). Add credit or raise the limit; retrying will not help.`;
    default:
      return status === 529 || body.type === 'overloaded_error'
        ? `The Anthropic API is overloaded (${label}). This is temporary; a later attempt may succeed.`
        : `The server failed to answer (${label}). This is usually temporary; a later attempt may succeed.`;
  }
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name did not resolve',
  EAI_AGAIN: 'the host name did not resolve',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
};

/** The first system error code and the innermost message along an error's `cause` chain. */
function inspectFailure(error: unknown): { code: string | undefined; detail: string | undefined } {
  let code: string | undefined;
  let detail: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      if (typeof current === 'string') detail = current;
      break;
    }
    const {
      code: candidate,
      message,
      cause,
    } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === undefined && typeof candidate === 'string') code = candidate;
    if (typeof message === 'string' && message !== '') detail = message;
    current = cause;
  }
  return { code, detail };
}

function connectionError(cause: unknown, context: AnthropicErrorContext): ConnectionError {
  const secrets = context.secrets ?? [];
  const { code, detail } = inspectFailure(cause);
  const known = code === undefined ? undefined : NETWORK_CODES[code];
  let what = 'the connection failed';
  if (known !== undefined) what = `${known} (${code})`;
  else if (detail !== undefined) what = quote(detail, secrets, 160);
  return new ConnectionError(
    `Could not get an answer from ${where(context)}: ${what}. ` +
      'Check the base URL and the network; a later attempt may succeed.',
    { cause: safeCause(cause, secrets) },
  );
}

/**
 * The error to keep as `cause`: the original when nothing along its `cause` chain (messages and
 * response bodies) looks like a credential, otherwise a plain `Error` with the redacted message.
 */
function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  let current: unknown = cause;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (!isClean(current.message, secrets) || !isClean(bodyText(current), secrets)) {
      const copy = new Error(redactSecrets(cause.message, secrets));
      copy.name = cause.name;
      return copy;
    }
    current = current.cause;
  }
  return cause;
}

function isClean(value: string, secrets: readonly string[]): boolean {
  return redactSecrets(value, secrets) === value;
}

function bodyText(error: Error): string {
  const body = (error as { error?: unknown }).error;
  if (body === undefined) return '';
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}
