import type { VolleyError } from '../errors.js';

export type {
  CallEventBase,
  CallResult,
  CallTimings,
  LaneSnapshot,
  VolleyEvents,
  WaitReason,
} from '../scheduler/types.js';

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
   * work already started finishes before new work begins. A call that has waited 2 s longer than
   * another counts one level higher, so that no call starves. Retries always go first. @default 0
   */
  readonly priority?: number | undefined;
  /** The caller's id for events, traces and results. @default a generated one */
  readonly id?: string | undefined;
  /**
   * Streams the answer: called with each text delta as it arrives, and the attempt it belongs to
   * (1, 2, ...). A new attempt number means a retry: the text starts over, so the deltas of the
   * last attempt joined equal `result.text`.
   */
  readonly onDelta?: ((text: string, attempt: number) => void) | undefined;
}
