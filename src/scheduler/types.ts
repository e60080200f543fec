/**
 * What the scheduler gives back: a call's result and timings, its events, and a lane's state. The
 * scheduler owns these types (nothing in it imports the client); `client/types.ts` re-exports them.
 */
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
  /** True when the answer came from the response cache: no call, no rate budget, no cost. */
  readonly cached?: true;
  readonly timings: CallTimings;
}

/** Why a queued call is not in flight yet. */
export type WaitReason =
  | 'concurrency'
  | 'requests'
  | 'tokens'
  | 'backoff'
  /** A 429 paused the lane for the server's `retry-after`. */
  | 'paused'
  /** `volley.pause()` holds every lane until `volley.start()`. */
  | 'held'
  /** The server cannot be reached: one call at a time probes it, with backoff. */
  | 'unreachable'
  | 'priority';

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
  /** Clock time the server stopped answering, while it cannot be reached. */
  readonly unreachableSince?: number | undefined;
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

/**
 * Where a lane sends its events. `has` is asked first, so that an event nobody listens to costs
 * nothing: at a hundred thousand calls a second, building its object would.
 */
export interface EventSink {
  has(name: keyof VolleyEvents): boolean;
  emit<K extends keyof VolleyEvents>(name: K, event: VolleyEvents[K]): void;
}
