/**
 * How a provider describes its SDK's errors to `mapSdkError` (see `sdk-errors.ts`): the SDK's error
 * classes, how to read its error bodies, how to classify them, and the advice only it can give.
 */
import type { VolleyErrorCode } from '../errors.js';

/** What the provider knows about the failed call, to make messages precise. All optional. */
export interface SdkErrorContext {
  /** The model the request named; quoted in 404 messages. */
  readonly model?: string | undefined;
  /** The server the request went to; quoted in 404 and connection messages. */
  readonly baseURL?: string | undefined;
  /** Credentials to scrub from every message, on top of anything shaped like an API key. */
  readonly secrets?: readonly string[] | undefined;
  /** The environment variable the key came from, named in 401 messages. */
  readonly keyEnv?: string | undefined;
}

/** An SDK's `APIError`: an error status, or an error reported inside a stream (no status). */
export interface SdkStatusError extends Error {
  readonly status: number | undefined;
  readonly headers: unknown;
  /** The parsed error body. */
  readonly error: unknown;
  readonly requestID?: unknown;
}

/** What every provider reads from an error body; each adds the fields it classifies by. */
export interface SdkErrorBody {
  /** The server's own message, unredacted. */
  readonly message: string | undefined;
  /** A request id in the body, used when neither the SDK nor the headers have one. */
  readonly requestID?: string | undefined;
}

type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

/** One SDK's errors, as `mapSdkError` needs to know them; `B` is what the provider reads from a body. */
export interface SdkErrorProfile<B extends SdkErrorBody> {
  readonly classes: {
    readonly userAbort: ErrorClass;
    readonly connectionTimeout: ErrorClass;
    readonly connection: ErrorClass;
    readonly status: ErrorClass<SdkStatusError>;
    /** The base class of all the SDK's errors. */
    readonly base: ErrorClass;
  };
  /** As in "The OpenAI SDK refused to send the request". */
  readonly sdkName: string;
  /** What the base URL should point at, e.g. "an OpenAI-compatible API". */
  readonly api: string;
  /** Who messages name when the context has no base URL. */
  readonly server: string;
  /** The response header carrying the request id. */
  readonly requestIDHeader: string;
  readBody(error: SdkStatusError): B;
  classifyStatus(status: number, body: B): VolleyErrorCode;
  /** An error reported inside a 200 stream has no status: classified by its body alone. */
  classifyStreamError(body: B): VolleyErrorCode;
  /** The provider's own advice for `code`, if it has any; else `genericAdvice` is used. */
  advise(
    code: VolleyErrorCode,
    label: string,
    status: number | undefined,
    body: B,
    context: SdkErrorContext,
  ): string | undefined;
  /** Rewrites the headers kept on the error (Anthropic adds `x-ratelimit-*` equivalents). */
  readonly adjustHeaders?: ((headers: Headers) => Headers) | undefined;
}
