import type { VolleyError } from '../errors.js';
import type { Usage } from '../providers/types.js';

export interface CallTimings {
  /** Clock time the call entered its lane's queue (ms, `clock.now()` origin). */
  readonly enqueuedAt: number;
  /** Clock time the successful attempt was sent. */
  readonly startedAt: number;
  /** Clock time the answer was complete. */
  readonly finishedAt: number;
  /** Time spent waiting for a slot, the rate limits, backoff and 429 pauses, over all attempts (ms). */
  readonly queuedMs: number;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
  /** Duration of the successful attempt (ms). */
  readonly latencyMs: number;
}

export interface CallResult {
  /** The call's id: the caller's own, or one Volley made up. */
  readonly id: string;
  readonly text: string;
  readonly usage: Usage | undefined;
  readonly finishReason: string | null;
  readonly model: string;
  readonly requestID: string | undefined;
  readonly raw: unknown;
  readonly timings: CallTimings;
}

/** One item of `settle`: like `Promise.allSettled`, with the error typed. */
export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: VolleyError };

/** Per-call options, separate from the request so that a request stays plain data. */
export interface CallOptions {
  /** Cancels the call, queued or in flight. */
  readonly signal?: AbortSignal | undefined;
  /** Per-attempt timeout (ms). @default the client's `timeout` */
  readonly timeout?: number | undefined;
  /** Time budget for the whole call, queueing and retries included (ms). @default the client's `deadline` */
  readonly deadline?: number | undefined;
  /**
   * Higher runs first among queued calls of the same lane. Flows raise it for later steps so that
   * work already started finishes before new work begins. Retries always go first. @default 0
   */
  readonly priority?: number | undefined;
  /** The caller's id for events, traces and results. @default a generated one */
  readonly id?: string | undefined;
  /** Streams the answer: called with each text delta as it arrives. */
  readonly onDelta?: ((text: string) => void) | undefined;
}

/** Why a queued call is not in flight yet. */
export type WaitReason = 'concurrency' | 'requests' | 'tokens' | 'backoff' | 'paused' | 'priority';

export interface LaneSnapshot {
  readonly key: string;
  readonly model: string;
  readonly queued: number;
  readonly inFlight: number;
  /** Current concurrency cap (adaptive unless configured). */
  readonly concurrency: number;
  /** Requests per minute in force: configured, learned from headers, or undefined while unknown. */
  readonly rpm: number | undefined;
  /** Tokens per minute in force: configured, learned, or undefined while unknown. */
  readonly tpm: number | undefined;
  /** What the call at the head of the queue is waiting for, if anything. */
  readonly waitingFor: WaitReason | undefined;
  /** Clock time a 429 pause ends, when one is in force. */
  readonly pausedUntil: number | undefined;
}

export interface CallEventBase {
  readonly id: string;
  /** Lane key: provider id and model. */
  readonly lane: string;
  readonly model: string;
  /** Clock time of the event. */
  readonly at: number;
}

export interface VolleyEvents {
  /** `estimatedTokens` is counted only when the lane has a tokens-per-minute budget. */
  queued: CallEventBase & { readonly estimatedTokens: number | undefined; readonly priority: number };
  started: CallEventBase & { readonly attempt: number; readonly waitedMs: number };
  'rate-limited': CallEventBase & { readonly pauseMs: number; readonly status: number | undefined };
  retried: CallEventBase & {
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: VolleyError;
  };
  finished: CallEventBase & { readonly result: CallResult };
  failed: CallEventBase & { readonly error: VolleyError };
}
