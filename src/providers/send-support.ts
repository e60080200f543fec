/**
 * The waits of an SDK-based provider's attempt, and reading its answer. Every wait is raced against
 * the attempt's signal, because the SDKs count on fetch to fail when the signal aborts and an
 * injected fetch (a simulator, a test double) may not.
 */
import { ConnectionError } from '../errors.js';
import { isRecord, toHeaders } from './shared.js';

/** The answer's status, headers and request id, attached to errors raised about it. */
export interface ResponseMeta {
  readonly status: number;
  readonly headers: Headers;
  readonly requestID: string | undefined;
}

/** A promise that rejects when `signal` aborts; `dispose` drops its listener. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  // Only ever awaited through Promise.race; never let it count as unhandled.
  promise.catch(() => {});
  return { promise, dispose };
}

/** What `start()` resolves to, unless `signal` aborts first: then it rejects with the reason. */
export async function unlessAborted<T>(signal: AbortSignal, start: () => PromiseLike<T>): Promise<T> {
  const aborted = whenAborted(signal);
  try {
    return await Promise.race([start(), aborted.promise]);
  } finally {
    aborted.dispose();
  }
}

/**
 * Opens a stream with `start` and hands each event to `onEvent` until the stream ends; returns the
 * response. Throws the abort's reason when the attempt was aborted, whether the wait was cut short
 * or the SDK ended the iteration quietly. A stream left early is closed, which stops the SDK's
 * reader and, through it, the request.
 */
export async function readEvents(
  signal: AbortSignal,
  start: () => PromiseLike<{ data: unknown; response: Response }>,
  onEvent: (event: unknown) => void,
): Promise<Response> {
  const aborted = whenAborted(signal);
  let iterator: AsyncIterator<unknown> | undefined;
  let finished = false;
  try {
    const { data, response } = await Promise.race([start(), aborted.promise]);
    iterator = (data as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted.promise]);
      if (step.done === true) break;
      onEvent(step.value);
    }
    finished = true;
    signal.throwIfAborted();
    return response;
  } finally {
    aborted.dispose();
    if (!finished) iterator?.return?.().catch(() => {});
  }
}

/**
 * The meta of an answer: its headers (through `adjust`, if given) and its request id, from the
 * `_request_id` the SDK puts on a parsed body, else from the `requestIDHeader` header.
 */
export function responseMeta(
  response: Response,
  requestIDHeader: string,
  data?: unknown,
  adjust?: (headers: Headers) => Headers,
): ResponseMeta {
  const received = toHeaders(response.headers) ?? new Headers();
  const headers = adjust === undefined ? received : adjust(received);
  const fromBody = isRecord(data) ? data['_request_id'] : undefined;
  const requestID =
    typeof fromBody === 'string' && fromBody !== '' ? fromBody : (headers.get(requestIDHeader) ?? undefined);
  return { status: response.status, headers, requestID };
}

/** The error for a stream that ended before the server said it had finished its answer. */
export function streamEndedEarly(baseURL: string, meta: ResponseMeta): ConnectionError {
  return new ConnectionError(
    `The stream from ${baseURL} ended before the server finished its answer. ` +
      'A later attempt may succeed; if it keeps happening, call without streaming.',
    meta,
  );
}
