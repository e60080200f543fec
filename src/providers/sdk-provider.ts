/**
 * The `Provider` the SDK-based providers build on. One `send` is one attempt under a signal of its
 * own; what the caller's `onDelta` throws is rethrown untouched, and every other failure is mapped
 * to a `VolleyError` by the subclass, at the provider's boundary.
 */
import type { VolleyError } from '../errors.js';
import type { SdkErrorContext } from './sdk-error-profile.js';
import { abortReason } from './shared.js';
import type { Provider, ProviderRequest, ProviderResponse, SendContext } from './types.js';

/** What every SDK-based provider is built with. */
export interface SdkProviderInit {
  readonly id: string;
  readonly defaultModel: string | undefined;
  /** The server as messages show it: no user info, no trailing slash. */
  readonly baseURL: string;
  /** Credentials to keep out of every message. */
  readonly secrets: readonly string[];
}

/** An exception from the caller's `onDelta`: the caller's, not the server's. */
class DeltaCallbackFailure {
  constructor(readonly error: unknown) {}
}

export abstract class SdkProvider implements Provider {
  readonly id: string;
  readonly defaultModel: string | undefined;
  // Private (subclasses keep their clients private too), so that logging or serializing a
  // provider never shows a key.
  readonly #baseURL: string;
  readonly #secrets: readonly string[];

  constructor(init: SdkProviderInit) {
    this.id = init.id;
    this.defaultModel = init.defaultModel;
    this.#baseURL = init.baseURL;
    this.#secrets = init.secrets;
  }

  get baseURL(): string {
    return this.#baseURL;
  }

  protected get secrets(): readonly string[] {
    return this.#secrets;
  }

  toJSON(): { id: string; defaultModel?: string } {
    return { id: this.id, ...(this.defaultModel === undefined ? {} : { defaultModel: this.defaultModel }) };
  }

  async send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse> {
    const { signal, onDelta } = context;
    if (signal.aborted) throw abortReason(signal);
    // A per-attempt signal, so that the SDK's listener never outlives this attempt even when the
    // caller reuses one long-lived signal for many calls.
    const attempt = new AbortController();
    const forward = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      if (onDelta === undefined) return await this.complete(request, attempt.signal);
      const report = (text: string) => {
        try {
          onDelta(text);
        } catch (error) {
          throw new DeltaCallbackFailure(error);
        }
      };
      return await this.stream(request, attempt.signal, report);
    } catch (error) {
      if (error instanceof DeltaCallbackFailure) throw error.error;
      if (signal.aborted) throw abortReason(signal);
      throw this.mapError(error, { model: request.model, baseURL: this.#baseURL, secrets: this.#secrets });
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  /** Sends `request` and reads the whole answer; gives up when `signal` aborts. */
  protected abstract complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  /** Sends `request` as a stream, reporting each piece of text to `onDelta` as it arrives. */
  protected abstract stream(
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<ProviderResponse>;
  /** Maps what the SDK (or its fetch) threw to a `VolleyError`. */
  protected abstract mapError(error: unknown, context: SdkErrorContext): VolleyError;
}
