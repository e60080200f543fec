/**
 * The provider both SDKs share: each brings a `Wire` (how its SDK is loaded, posted to and read)
 * and this does the rest once, with the one abort path of an attempt.
 */
import { AbortError, VolleyError } from '../errors.js';
import { streamEndedEarly, withMeta } from './answers.js';
import type { ErrorContext } from './errors.js';
import { type Account, requestOptions } from './options.js';
import type * as types from './types.js';

/** What `.withResponse()` brings back; `data` is undefined for a stream cut before its end. */
type Posted = { readonly data: unknown; readonly response: Response; readonly request_id?: string | null };
type Options = ReturnType<typeof requestOptions>;
/** Hands one stream event's text, if any, to the caller. */
export type Emit = (text: string | undefined) => void;

/** What a factory builds a provider from. */
export interface ProviderInit<M, C> extends Account {
  /** The OpenTelemetry `gen_ai.provider.name`. */
  readonly name: string;
  /** What a Batch API line names. */
  readonly endpoint: string;
  readonly defaultModel: string | undefined;
  /** Named in 401 messages. */
  readonly keyEnv: string;
  /** The client to send through, built once the SDK is loaded (or the caller's own). */
  client(sdk: M): C;
}

/** What one SDK brings to its providers; `B` is its request body type. */
export interface Wire<M, C, B extends Record<string, unknown>> extends ProviderInit<M, C> {
  readonly kind: 'openai' | 'anthropic';
  /** The SDK's module, imported once, when the first provider is built. */
  load(): Promise<M>;
  requestBody(request: types.ProviderRequest): B;
  readBody(body: unknown, model: string, baseURL: string, secrets: readonly string[]): types.ProviderAnswer;
  /** Posts `body`, streaming when there is an `emit` for each event. */
  post(client: C, body: B, request: types.ProviderRequest, options: Options, emit?: Emit): Promise<Posted>;
  /** The response headers as the lane reads them. */
  headers?(headers: Headers): Headers;
  mapError(error: unknown, sdk: M, context: ErrorContext): VolleyError;
}

export class SdkProvider<M, C, B extends Record<string, unknown>> implements types.Provider {
  readonly kind: Wire<M, C, B>['kind'];
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly baseURL: string;
  readonly keyFingerprint: string | undefined;
  readonly defaultModel: string | undefined;
  // Private, so that logging or serializing a provider never shows a key.
  readonly #wire: Wire<M, C, B>;
  readonly #context: ErrorContext;
  readonly #ready: Promise<{ sdk: M; client: C }>;
  /** What `#ready` resolved with, once it has: `send` then goes out without waiting a tick for it. */
  #loaded: { sdk: M; client: C } | undefined;

  constructor(wire: Wire<M, C, B>) {
    ({ kind: this.kind, id: this.id, name: this.name, endpoint: this.endpoint } = wire);
    ({ baseURL: this.baseURL, keyFingerprint: this.keyFingerprint, defaultModel: this.defaultModel } = wire);
    this.#wire = wire;
    this.#context = { baseURL: wire.baseURL, secrets: wire.secrets, keyEnv: wire.keyEnv };
    // Loading starts now, to overlap whatever comes before the first call; a failure surfaces there.
    this.#ready = wire.load().then((sdk) => ({ sdk, client: wire.client(sdk) }));
    this.#ready.then(
      (loaded) => {
        this.#loaded = loaded;
      },
      () => {},
    );
  }

  /**
   * Resolves once the SDK is loaded and the client built (a failure is `send`'s to report). An
   * arrow, bound to this instance: a wrapper made with `Object.create(provider)` (the queue's
   * limited provider) calls it with itself as `this`, which has no `#ready`.
   */
  readonly ready = (): Promise<void> =>
    this.#ready.then(
      () => undefined,
      () => undefined,
    );

  requestBody(request: types.ProviderRequest): B {
    return this.#wire.requestBody(request);
  }

  readBody(body: unknown, model = ''): types.ProviderAnswer {
    return this.#wire.readBody(body, model, this.baseURL, this.#context.secrets);
  }

  /** The SDK and the client `send` uses, with this provider's error mapping (see `SdkClient`). */
  async sdkClient(): Promise<types.SdkClient<M, C>> {
    const { sdk, client } = await this.#ready;
    return { sdk, client, mapError: (error) => this.#wire.mapError(error, sdk, this.#context) };
  }

  /**
   * One attempt, under the one abort path: it settles as soon as `signal` aborts, whatever the SDK
   * is waiting for (the SDKs count on `fetch` to fail when the signal aborts, and an injected fetch,
   * a simulator or a test double, may not). The SDK gets a child signal, which keeps its listener
   * off a caller's signal that lives longer than the attempt, unless the signal is the attempt's own
   * (`ownSignal`): a controller costs as much as a tenth of a call through a zero-latency server, so
   * none is made for nothing. Written without `async` and with one closure per outcome: at
   * thousands of calls a second, each promise and closure on this path is measurable.
   */
  send(request: types.ProviderRequest, context: types.SendContext): Promise<types.ProviderResponse> {
    const loaded = this.#loaded;
    if (loaded === undefined) return this.#ready.then(() => this.send(request, context));
    const { signal, onDelta } = context;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const child = context.ownSignal === true ? undefined : new AbortController();
    const inner = child?.signal ?? signal;
    return new Promise<types.ProviderResponse>((resolve, reject) => {
      const watch = new AbortWatch(signal, child, reject);
      // The attempt's own signal can tell us itself: no listener to add and remove.
      const told = context.ownSignal === true && context.onAbort !== undefined;
      if (told) context.onAbort?.(watch);
      else signal.addEventListener('abort', watch, { once: true });
      let posted: Promise<Posted>;
      try {
        const emit = onDelta && ((text: string | undefined) => report(inner, onDelta, text));
        posted = this.#wire.post(
          loaded.client,
          this.requestBody(request),
          request,
          requestOptions(inner),
          emit,
        );
      } catch (error) {
        posted = Promise.reject(error);
      }
      posted.then(
        (value) => {
          if (!told) signal.removeEventListener('abort', watch);
          try {
            resolve(this.#answer(value, request.model));
          } catch (error) {
            reject(this.#failure(error, signal, loaded.sdk, request.model));
          }
        },
        (error: unknown) => {
          if (!told) signal.removeEventListener('abort', watch);
          reject(this.#failure(error, signal, loaded.sdk, request.model));
        },
      );
    });
  }

  /** The answer in what `posted` brought back; an error reading it gets the response's status and headers. */
  #answer(posted: Posted, model: string): types.ProviderResponse {
    const { data, response } = posted;
    const headers = this.#wire.headers?.(response.headers) ?? response.headers;
    const requestID = posted.request_id ?? undefined;
    if (data === undefined)
      throw streamEndedEarly(this.baseURL, { status: response.status, headers, requestID });
    let answer: types.ProviderAnswer;
    try {
      answer = this.readBody(data, model);
    } catch (error) {
      throw withMeta(error, { status: response.status, headers, requestID });
    }
    const { text, usage, finishReason } = answer;
    return { text, usage, finishReason, model: answer.model, requestID, headers, raw: data };
  }

  /** What a failed attempt rejects with: the abort's reason, what `onDelta` threw, or the mapped error. */
  #failure(error: unknown, signal: AbortSignal, sdk: M, model: string): unknown {
    if (signal.aborted) return abortReason(signal);
    if (error instanceof DeltaFailure) return error.error;
    try {
      return this.#wire.mapError(error, sdk, { ...this.#context, model });
    } catch (mapFailure) {
      return mapFailure;
    }
  }
}

/** The signal's reason when it is a `VolleyError` (a lane's timeout or deadline), else an `AbortError`. */
export function abortReason(signal: AbortSignal): VolleyError {
  const reason: unknown = signal.reason;
  if (reason instanceof VolleyError) return reason;
  return new AbortError(undefined, reason === undefined ? {} : { cause: reason });
}

/**
 * Settles an attempt as its signal aborts, and aborts the SDK's child signal. An object listener,
 * not a closure: under a loader that keeps function names (tsx), each named closure is also a
 * `defineProperty` per call.
 */
class AbortWatch {
  constructor(
    private readonly signal: AbortSignal,
    private readonly child: AbortController | undefined,
    private readonly reject: (error: unknown) => void,
  ) {}

  handleEvent(): void {
    this.reject(abortReason(this.signal));
    this.child?.abort(this.signal.reason);
  }
}

/** What the caller's `onDelta` threw: rethrown as it is, never mapped as if the server had failed. */
class DeltaFailure {
  constructor(readonly error: unknown) {}
}

/** Streamed text for the caller, unless the attempt is over: the SDK may still read buffered events. */
function report(signal: AbortSignal, onDelta: (text: string) => void, text: string | undefined): void {
  signal.throwIfAborted();
  if (text === undefined) return;
  try {
    onDelta(text);
  } catch (error) {
    throw new DeltaFailure(error);
  }
}
