/**
 * What both SDK-based providers do alike with a failure, as plain functions: the failures that are
 * not an error status (abort, timeout, connection, a body that is not JSON, an SDK refusal), and
 * the `APIError` an error status becomes once the provider has classified its body
 * (`openai/errors.ts`, `anthropic/errors.ts`). Pure: no message or cause holds a key.
 */
import {
  AbortError,
  APIError,
  ConnectionError,
  TimeoutError,
  VolleyError,
  type VolleyErrorCode,
} from '../errors.js';
import { genericAdvice, tooLargeAdvice } from './advice.js';
import { describeFailure, safeCause } from './causes.js';
import { isRecord, nonEmpty, quote, toHeaders } from './shared.js';

/** What a provider knows about the failed call, to make messages precise and keep keys out. */
export interface ErrorContext {
  /** Quoted in 404 and connection messages. */
  readonly baseURL: string;
  /** The model the request named, quoted in 404 messages. */
  readonly model?: string | undefined;
  /** Credentials to scrub from every message, on top of anything shaped like an API key. */
  readonly secrets: readonly string[];
  /** The environment variable the key comes from, named in 401 messages. */
  readonly keyEnv: string;
}

type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

/** An SDK's `APIError`: an error status, or an error event inside a stream (no status). */
interface StatusError extends Error {
  readonly status: number | undefined;
  readonly headers: unknown;
  /** The parsed error body. */
  readonly error: unknown;
  readonly requestID?: unknown;
}

/** The parts of an error body the providers look at, whichever server sent it. */
export interface ErrorBody {
  /** Undefined for an error event inside a 200 stream. */
  readonly status: number | undefined;
  readonly message: string | undefined;
  /** OpenAI's `type`, Anthropic's `error.type`. */
  readonly type: string | undefined;
  readonly code: string | undefined;
  /** A numeric `code` (vLLM puts the HTTP status there). */
  readonly numericCode: number | undefined;
  readonly param: string | undefined;
  /** Azure's `innererror.code`, which names a content filter hit. */
  readonly innerCode: string | undefined;
  /** Anthropic's `error.details.error_code`. */
  readonly errorCode: string | undefined;
}

/** An SDK: its error classes by the names both export, and what its provider knows of its errors. */
export interface Sdk {
  readonly APIError: ErrorClass<StatusError>;
  readonly APIUserAbortError: ErrorClass;
  readonly APIConnectionError: ErrorClass;
  readonly APIConnectionTimeoutError: ErrorClass;
  /** The base class of all the SDK's errors. */
  readonly base: ErrorClass;
  /** As in "The OpenAI SDK refused to send the request". */
  readonly name: string;
  /** As in "Check that the base URL points at an OpenAI-compatible API". */
  readonly api: string;
  readonly requestIDHeader: string;
  headers?(headers: Headers): Headers;
  classify(body: ErrorBody): VolleyErrorCode;
  /** Advice only this API's errors allow; else `genericAdvice`. */
  advise(code: VolleyErrorCode, body: ErrorBody, context: ErrorContext): string | undefined;
}

/**
 * Maps what an SDK, or the fetch beneath it, threw to a `VolleyError` whose message says what to
 * do next. A rate limit no wait will fix becomes `request_too_large`, and the server's
 * `x-should-retry` verdict is kept as `retryable`.
 */
export function mapSdkError(error: unknown, sdk: Sdk, context: ErrorContext): VolleyError {
  if (error instanceof VolleyError) return error;
  const { baseURL: where, secrets } = context;
  const init = () => ({ cause: safeCause(error, secrets) });
  // Subclasses before their parents: a timeout is a connection error, and both are `APIError`s.
  if (error instanceof sdk.APIUserAbortError) return new AbortError();
  if (error instanceof sdk.APIConnectionTimeoutError) {
    const message = `The connection to ${where} timed out before an answer arrived. Check that the server is reachable and not overloaded; a later attempt may succeed.`;
    return new TimeoutError('timeout', message, init());
  }
  if (error instanceof sdk.APIConnectionError) return connectionError(error.cause ?? error, context);
  // A status error from another copy of the SDK (a client the caller brought) is known by its shape.
  if (error instanceof sdk.APIError || (error instanceof Error && 'status' in error && 'error' in error)) {
    return statusFailure(error as StatusError, sdk, context);
  }
  if (error instanceof SyntaxError) {
    const message = `The server at ${where} sent a body that is not valid JSON (${quote(error.message, secrets, 120)}). Check that the base URL points at ${sdk.api}.`;
    return new VolleyError('malformed_response', message, init());
  }
  if (error instanceof sdk.base && /no body/i.test(error.message)) {
    const message = `The server at ${where} sent a response without a body. Check that the base URL points at ${sdk.api}.`;
    return new VolleyError('malformed_response', message, init());
  }
  if (error instanceof sdk.base) {
    const message = `The ${sdk.name} SDK refused to send the request: ${quote(error.message, secrets)}. Check the provider options and the request parameters.`;
    return new VolleyError('invalid_request', message, init());
  }
  if (isRecord(error) && error['name'] === 'AbortError') return new AbortError(undefined, { cause: error });
  // Anything else comes from the transport, typically while a streamed body is read
  // (`TypeError: terminated`, an ECONNRESET), which the SDKs do not wrap.
  return connectionError(error, context);
}

function statusFailure(error: StatusError, sdk: Sdk, context: ErrorContext): APIError {
  const { status } = error;
  const body = readErrorBody(error);
  const received = toHeaders(error.headers);
  const headers = received && (sdk.headers?.(received) ?? received);
  const { message } = body;
  const read = sdk.classify(body);
  const tooLarge = read === 'rate_limited' ? tooLargeAdvice(status, message, headers) : undefined;
  const code = tooLarge === undefined ? read : 'request_too_large';
  const advice = tooLarge ?? sdk.advise(code, body, context) ?? genericAdvice(code, status, message, context);
  const said = message ? ` Server said: "${quote(message, context.secrets)}"` : '';
  const verdict = headers?.get('x-should-retry');
  const errorBody = isRecord(error.error) ? error.error : {};
  return new APIError(code, `${advice}${said}`, {
    status,
    headers,
    requestID:
      nonEmpty(error.requestID) ??
      nonEmpty(headers?.get(sdk.requestIDHeader)) ??
      nonEmpty(errorBody['request_id']),
    retryable: verdict === 'true' ? true : verdict === 'false' ? false : undefined,
    cause: safeCause(error, context.secrets),
  });
}

/**
 * OpenAI's `{ message, type, param, code, innererror }` or Anthropic's `{ type: 'error', error:
 * { type, message, details } }`, falling back to the SDK's own fields and to a proxy's `{ message }`.
 */
function readErrorBody(error: StatusError): ErrorBody {
  const own = error as {
    code?: unknown;
    type?: unknown;
    param?: unknown;
    errorCode?: unknown;
    apiMessage?: unknown;
  };
  const body = isRecord(error.error) ? error.error : {};
  const inner = isRecord(body['error']) ? body['error'] : body;
  const field = (name: string) => (isRecord(inner[name]) ? (inner[name] as Record<string, unknown>) : {});
  const code = inner['code'] ?? own.code;
  const fallback = sdkMessage(error.message);
  return {
    status: error.status,
    // A JSON body with no message the mapping could find is not worth quoting whole.
    message:
      nonEmpty(inner['message']) ??
      nonEmpty(own.apiMessage) ??
      (fallback?.startsWith('{') ? undefined : fallback),
    type: nonEmpty(inner['type']) ?? nonEmpty(own.type),
    code: nonEmpty(code),
    numericCode: typeof code === 'number' ? code : undefined,
    param: nonEmpty(inner['param'] ?? own.param),
    innerCode: nonEmpty(field('innererror')['code']),
    errorCode: nonEmpty(field('details')['error_code']) ?? nonEmpty(own.errorCode),
  };
}

/** The SDK's message minus its status prefix; nothing when it only says there was no body. */
export function sdkMessage(message: string): string | undefined {
  const rest = message.replace(/^\d{3} /, '');
  return rest === '' || /^status code \(no body\)$|^\(no status code or body\)$/.test(rest)
    ? undefined
    : rest;
}

function connectionError(cause: unknown, { baseURL, secrets }: ErrorContext): ConnectionError {
  return new ConnectionError(
    `Could not get an answer from ${baseURL}: ${describeFailure(cause, secrets)}. ` +
      'Check the base URL, the network and that the server is running; a later attempt may succeed.',
    { cause: safeCause(cause, secrets) },
  );
}
