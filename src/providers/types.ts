/** What the scheduler hands a provider, and what a provider hands back. */
import type { VolleyError } from '../errors.js';

export interface ChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  /** Text, or the provider's own content parts (images, files), passed through untouched. */
  readonly content: string | readonly unknown[];
  readonly name?: string;
}

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly json_schema: Record<string, unknown> };

/** A request as the user writes it: a prompt string or a list of messages, plus model parameters. */
export interface CallRequest {
  /** A single user message; shorthand for `messages: [{ role: 'user', content: prompt }]`. */
  readonly prompt?: string;
  readonly messages?: readonly ChatMessage[];
  /** Overrides the client's default model for this call. */
  readonly model?: string;
  /** Upper bound on output tokens; also what the rate limiter reserves for the answer. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly responseFormat?: ResponseFormat;
  /** Any other body fields, sent as they are (`top_p`, `seed`, `tools`, ...). */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A request after defaults are applied: what a provider sends. */
export interface ProviderRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly responseFormat?: ResponseFormat | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** What a response body says, read the same way wherever the body came from (see `readBody`). */
export interface ProviderAnswer {
  readonly text: string;
  /** Absent only when the server reported none. */
  readonly usage: Usage | undefined;
  readonly finishReason: string | null;
  /** The model the server says answered. */
  readonly model: string;
}

export interface ProviderResponse extends ProviderAnswer {
  readonly requestID: string | undefined;
  /** Read for rate-limit state. */
  readonly headers: Headers;
  /** The response body (for a stream, the body the non-streaming call would have sent). */
  readonly raw: unknown;
}

export interface SendContext {
  /** Aborts this attempt: a per-attempt timeout, a deadline, or the caller's cancellation. */
  readonly signal: AbortSignal;
  /** When given, the provider streams and reports each text delta as it arrives. */
  readonly onDelta?: ((text: string) => void) | undefined;
  /**
   * True when `signal` is this attempt's alone and dropped when it ends (the lane's): a provider
   * may hand it to an SDK, whose listener on it is never removed. Else it may be a signal the
   * caller keeps for many attempts, which must not gather a listener for each. @default false
   */
  readonly ownSignal?: boolean | undefined;
  /**
   * With `ownSignal`, the attempt can also call `listener.handleEvent()` itself when it aborts,
   * right after `signal` has: a provider that must settle at once then needs no 'abort' listener
   * added and removed per attempt (a measurable share of a call through a fast server). The
   * attempt keeps one listener, and calls it at once if it has already aborted. @default none
   */
  readonly onAbort?: ((listener: { handleEvent(): void }) => void) | undefined;
}

/**
 * A provider sends one attempt, never retrying, and maps every failure to a `VolleyError` at its
 * boundary. It posts `requestBody(request)` (plus the streaming fields) and reads the answer with
 * `readBody`, so a body sent or read another way (a Batch API file, a cache) means the same.
 */
export interface Provider {
  /** Identifies the server and account: calls through providers with the same id share lanes. */
  readonly id: string;
  /** The wire protocol: `openai` (every OpenAI-compatible server), `anthropic`, ... */
  readonly kind: 'openai' | 'anthropic' | (string & {});
  /** The OpenTelemetry `gen_ai.provider.name`: `openai`, `azure.ai.openai`, `anthropic`, ... */
  readonly name: string;
  /** Without credentials, for identities, reports and spans. */
  readonly baseURL: string;
  /** First 8 hex digits of sha256(key), to tell accounts apart; undefined when no key is configured. */
  readonly keyFingerprint: string | undefined;
  /** Used when a request names none. */
  readonly defaultModel?: string | undefined;
  /** The path a Batch API line names: `/v1/chat/completions`, `/v1/messages`. */
  readonly endpoint: string;
  /** The JSON body `send` posts, unstreamed; `invalid_request` for what the API cannot express. */
  requestBody(request: ProviderRequest): Record<string, unknown>;
  /**
   * A response body (a Batch API result, a cached body) read as `send` reads it, throwing what it
   * would; `model` stands in when the body names none.
   */
  readBody(body: unknown, model?: string): ProviderAnswer;
  send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse>;
  /**
   * Resolves once `send` can go out at once (its SDK loaded, its client built); a failure is
   * reported by `send`. The lane waits for it before its first dispatch, so that the time an SDK
   * takes to load on a busy machine is not taken for the server's silence. @default none: ready
   */
  ready?(): Promise<void>;
}

/**
 * A provider's SDK module and the client its `send` uses, with its error mapping: for code that
 * calls the SDK's other endpoints on the same connection (the Batch API executor), so that their
 * failures are mapped at the provider boundary like every other.
 */
export interface SdkClient<M, C> {
  readonly sdk: M;
  readonly client: C;
  mapError(error: unknown): VolleyError;
}
