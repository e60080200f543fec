/**
 * A run as the report, `volley status` and the live bar see it: the run record decoded once into
 * named events (`decode.ts` is the only reader of the compact format), every invocation's segment
 * put end to end on one timeline of active time, lanes merged across invocations by their key.
 */
import type { ConfiguredLimits, RunMeta } from './record-format.js';

/** One invocation of the run: `volley run` started, and maybe resumed later. */
export interface Segment {
  readonly index: number;
  readonly meta: RunMeta;
  readonly limits: ConfiguredLimits;
  /** Wall time the invocation started, ISO 8601 ('' when unknown). */
  readonly wall: string;
  /** Where it begins on the run's timeline (ms): the active time of the invocations before it. */
  readonly offset: number;
  /** How long it ran (ms): to its end record, or to its last record when it has none. */
  durationMs: number;
  /** False when it has no end record: still running, or killed. */
  ended: boolean;
}

export interface Lane {
  readonly index: number;
  /** The client's lane key: internal, never shown. */
  readonly key: string;
  readonly model: string;
  readonly provider: string | undefined;
  readonly baseURL: string | undefined;
}

/** A lane's state at one moment: the limits in force and what is queued. */
export interface LaneState {
  readonly at: number;
  readonly lane: number;
  readonly segment: number;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly inFlight: number;
  readonly queued: number;
  readonly concurrency: number;
  /** What the head of the queue waits for: concurrency, requests, tokens, backoff, paused, priority. */
  readonly waitingFor: string | undefined;
  /** A 429 pause in force until this time. */
  readonly pausedUntil: number | undefined;
}

interface CallEventBase {
  readonly id: string;
  readonly lane: number;
  readonly segment: number;
  /** Time on the run's timeline (ms). */
  readonly at: number;
}

export type CallEvent =
  | (CallEventBase & { readonly type: 'queued'; readonly estimatedTokens: number | undefined })
  | (CallEventBase & { readonly type: 'started'; readonly attempt: number })
  | (CallEventBase & {
      readonly type: 'rate-limited';
      readonly pauseMs: number;
      readonly status: number | undefined;
    })
  | (CallEventBase & {
      readonly type: 'retried';
      /** The attempt that failed. */
      readonly attempt: number;
      readonly delayMs: number;
      readonly code: string;
      readonly status: number | undefined;
    })
  | (CallEventBase & {
      readonly type: 'finished';
      readonly attempts: number;
      /** The successful attempt (ms). */
      readonly latencyMs: number;
      /** Waiting over all attempts (ms). */
      readonly queuedMs: number;
      readonly promptTokens: number;
      readonly completionTokens: number;
      readonly finishReason: string | undefined;
      /** The model that answered. */
      readonly model: string;
    })
  | (CallEventBase & {
      readonly type: 'failed';
      readonly attempts: number;
      readonly queuedMs: number | undefined;
      /** The last attempt, when it failed in flight (ms). */
      readonly latencyMs: number | undefined;
      readonly code: string;
      readonly status: number | undefined;
      readonly message: string;
    });

export interface RunData {
  readonly segments: Segment[];
  /** Indexed by lane number, merged across segments. */
  readonly lanes: Lane[];
  readonly states: LaneState[];
  /** In the order they happened, segment after segment. */
  readonly events: CallEvent[];
  /** The run's active time: the segments end to end (ms). */
  endT: number;
}

/** The newest segment: what `volley status` says about the command and the expected total. */
export function lastSegment(run: RunData): Segment | undefined {
  return run.segments[run.segments.length - 1];
}

/** Whether the last invocation closed its record. */
export function finished(run: RunData): boolean {
  return lastSegment(run)?.ended ?? false;
}

/**
 * How a lane reads for a person: provider and model. A record that does not name the provider (a
 * flow trace, an older record) shows the model alone: the lane key is internal.
 */
export function laneLabel(lane: Lane): string {
  const where = lane.provider ?? lane.baseURL;
  if (where === undefined) return lane.model;
  const host = lane.baseURL && lane.provider ? ` at ${hostOf(lane.baseURL)}` : '';
  return `${where}${host} · ${lane.model}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
