/**
 * The one abort path of an SDK-based provider's attempt, what it hands back, and loading an SDK
 * once, on first use.
 */
import { AbortError, ConnectionError, VolleyError } from '../errors.js';
import type { ProviderAnswer, ProviderResponse } from './types.js';

/**
 * What a provider throws once its `signal` has aborted: the signal's reason when it is already a
 * `VolleyError` (a scheduler's timeout or deadline), otherwise an `AbortError` wrapping it.
 */
export function abortReason(signal: AbortSignal): VolleyError {
  const reason: unknown = signal.reason;
  if (reason instanceof VolleyError) return reason;
  return new AbortError(undefined, reason === undefined ? {} : { cause: reason });
}

/** What the caller's `onDelta` threw: rethrown as it is, never mapped as if the server had failed. */
class DeltaFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `work` under a signal of its own and settles as soon as `signal` aborts, with
 * `abortReason(signal)`, whatever `work` is waiting for: the SDKs count on `fetch` to fail when
 * the signal aborts, and an injected fetch (a simulator, a test double) may not. The child signal
 * keeps the SDK's listener off a long-lived caller signal. Failures of `work` go through `map`,
 * except a `DeltaFailure`, which is unwrapped.
 */
export async function attempt<T>(
  signal: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
  map: (error: unknown) => VolleyError,
): Promise<T> {
  if (signal.aborted) throw abortReason(signal);
  const child = new AbortController();
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(abortReason(signal));
      child.abort(signal.reason);
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([work(child.signal), aborted]);
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    if (error instanceof DeltaFailure) throw error.error;
    throw map(error);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** `load()` once, the first time it is asked for, so that no SDK is loaded before its provider sends. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/**
 * Hands a piece of streamed text to the caller, unless the attempt has been aborted: the SDK may
 * still be reading events it had buffered, which belong to no attempt any more. What the caller
 * throws stays the caller's.
 */
export function report(signal: AbortSignal, onDelta: (text: string) => void, text: string | undefined): void {
  signal.throwIfAborted();
  if (text === undefined) return;
  try {
    onDelta(text);
  } catch (error) {
    throw new DeltaFailure(error);
  }
}

/** The answer's status, headers and request id. */
export function metaOf(
  response: Response,
  requestID: string | null | undefined,
  headers = response.headers,
): ResponseMeta {
  return { status: response.status, headers, requestID: requestID ?? undefined };
}

/** The response for `raw` as `read` reads it; an error `read` throws carries the answer's meta. */
export function answered(meta: ResponseMeta, raw: unknown, read: () => ProviderAnswer): ProviderResponse {
  try {
    return { ...read(), requestID: meta.requestID, headers: meta.headers, raw };
  } catch (error) {
    throw withMeta(error, meta);
  }
}

/** The answer's status, headers and request id, kept on errors raised about a 200. */
export interface ResponseMeta {
  readonly status: number;
  readonly headers: Headers;
  readonly requestID: string | undefined;
}

/** `error` with the meta of the answer it is about (a body `readBody` refused, say). */
function withMeta(error: unknown, meta: ResponseMeta): unknown {
  if (!(error instanceof VolleyError) || error.status !== undefined) return error;
  return new VolleyError(error.code, error.message, {
    ...meta,
    retryable: error.retryable,
    cause: error.cause,
  });
}

/** The error for a stream that ended before the server said it had finished its answer. */
export function streamEndedEarly(baseURL: string, meta: ResponseMeta): ConnectionError {
  return new ConnectionError(
    `The stream from ${baseURL} ended before the server finished its answer. ` +
      'A later attempt may succeed; if it keeps happening, call without streaming.',
    meta,
  );
}
