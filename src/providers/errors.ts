/**
 * What both SDK-based providers do alike with a failure, as plain functions: the failures that are
 * not an error status (abort, timeout, connection, a body that is not JSON, an SDK refusal), and
 * the `APIError` an error status becomes once the provider has read its body (`openai/errors.ts`,
 * `anthropic/errors.ts`). Pure: `error` is read, never changed; no message or cause holds a key.
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
import { isRecord, quote } from './shared.js';

/** What a provider knows about the failed call, to make messages precise and keep keys out. */
export interface ErrorContext {
  /** The server, quoted in 404 and connection messages. */
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
export interface StatusError extends Error {
  readonly status: number | undefined;
  readonly headers: unknown;
  /** The parsed error body. */
  readonly error: unknown;
  readonly requestID?: unknown;
}

/** The error classes both SDKs export by these names. */
type SdkClasses = Record<
  'APIUserAbortError' | 'APIConnectionError' | 'APIConnectionTimeoutError',
  ErrorClass
> & {
  readonly APIError: ErrorClass<StatusError>;
};

/** An SDK's error classes, and how messages name the SDK and the API the base URL should point at. */
export interface Sdk extends SdkClasses {
  /** The base class of all the SDK's errors (`OpenAIError`, `AnthropicError`). */
  readonly base: ErrorClass;
  /** As in "The OpenAI SDK refused to send the request". */
  readonly name: string;
  /** As in "Check that the base URL points at an OpenAI-compatible API". */
  readonly api: string;
}

export function sdkOf(module: SdkClasses, base: ErrorClass, name: string, api: string): Sdk {
  const { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError } = module;
  return { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError, base, name, api };
}

/** What a provider read from an error status and its body. */
export interface StatusReading {
  readonly code: VolleyErrorCode;
  /** What to do next, where the provider knows better than `genericAdvice`. */
  readonly advice?: string | undefined;
  readonly headers: Headers | undefined;
  readonly requestID: string | undefined;
  /** The server's own message, unredacted; quoted after the advice. */
  readonly message: string | undefined;
}

/**
 * Maps what an SDK, or the fetch beneath it, threw to a `VolleyError` whose message says what to
 * do next. An error status is read by `read`, the provider's own; a rate limit no wait will fix
 * becomes `request_too_large`, and the server's `x-should-retry` verdict is kept as `retryable`.
 */
export function mapSdkError(
  error: unknown,
  sdk: Sdk,
  context: ErrorContext,
  read: (error: StatusError) => StatusReading,
): VolleyError {
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
    return statusFailure(error as StatusError, read(error as StatusError), context);
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

function statusFailure(error: StatusError, reading: StatusReading, context: ErrorContext): APIError {
  const { headers, requestID, message } = reading;
  const { status } = error;
  const tooLarge = reading.code === 'rate_limited' ? tooLargeAdvice(status, message, headers) : undefined;
  const code = tooLarge === undefined ? reading.code : 'request_too_large';
  const advice = tooLarge ?? reading.advice ?? genericAdvice(code, status, message, context);
  const said = message ? ` Server said: "${quote(message, context.secrets)}"` : '';
  const verdict = headers?.get('x-should-retry');
  const retryable = verdict === 'true' ? true : verdict === 'false' ? false : undefined;
  return new APIError(code, `${advice}${said}`, {
    status,
    headers,
    requestID,
    retryable,
    cause: safeCause(error, context.secrets),
  });
}

function connectionError(cause: unknown, { baseURL, secrets }: ErrorContext): ConnectionError {
  return new ConnectionError(
    `Could not get an answer from ${baseURL}: ${describeFailure(cause, secrets)}. ` +
      'Check the base URL, the network and that the server is running; a later attempt may succeed.',
    { cause: safeCause(cause, secrets) },
  );
}

/** The SDK's message minus its status prefix; nothing when it only says there was no body. */
export function sdkMessage(message: string): string | undefined {
  const rest = message.replace(/^\d{3} /, '');
  return rest === '' || /^status code \(no body\)$|^\(no status code or body\)$/.test(rest)
    ? undefined
    : rest;
}
