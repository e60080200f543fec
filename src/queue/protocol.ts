/**
 * What goes through Redis between a coordinator and the workers: one job per call, holding the
 * request and never a key (each worker calls with its own), and the answer or the error coming
 * back as the job's return value. Everything here is plain JSON.
 */
import type { CallResult } from '../client/types.js';
import { VolleyError, type VolleyErrorCode } from '../errors.js';
import type { CallRequest } from '../providers/types.js';

/** The one BullMQ queue every run and every worker shares unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'volley';

export interface CallJobData {
  readonly v: 1;
  /** The run this call belongs to (several runs share one queue). */
  readonly run: string;
  /** The line's key, or the flow call's id. */
  readonly key: string;
  /** With its model resolved by the coordinator, so that every worker sends the same thing. */
  readonly request: CallRequest;
  /** Per-call options from the coordinator's flags (ms); the worker's own defaults otherwise. */
  readonly timeout?: number | undefined;
  readonly deadline?: number | undefined;
  readonly priority?: number | undefined;
}

/** A `VolleyError` as JSON: never its headers, which may echo credentials. */
export interface WireError {
  readonly code: VolleyErrorCode;
  readonly message: string;
  readonly status?: number | undefined;
  readonly requestID?: string | undefined;
  readonly attempts: number;
  readonly retryable?: boolean | undefined;
}

export type CallJobResult =
  | { readonly ok: true; readonly result: CallResult }
  | { readonly ok: false; readonly error: WireError };

export function wireError(error: VolleyError): WireError {
  return { ...error.toJSON(), ...(error.retryable === undefined ? {} : { retryable: error.retryable }) };
}

export function reviveError(wire: WireError): VolleyError {
  const error = new VolleyError(wire.code, wire.message, {
    status: wire.status,
    requestID: wire.requestID,
    attempts: wire.attempts,
    retryable: wire.retryable,
  });
  return error;
}

/**
 * The job id of one call: the run, a digest of what is sent, and the key. Adding the same call
 * again is a no-op (BullMQ keeps the first job of an id), so re-enqueueing after a crash is
 * harmless; a changed line gets a new id. BullMQ ids may not hold `:`, hence the encoding.
 */
export function callJobId(run: string, hash: string, key: string): string {
  return `${run}.${hash.slice(0, 16)}.${encodeURIComponent(key)}`;
}

/**
 * Failures that belong to the worker's own key or account, not to the job: the worker stops
 * taking jobs and puts this one back for a healthy worker.
 */
export function rejectsWorker(error: VolleyError): boolean {
  return (
    error.code === 'authentication' || error.code === 'permission_denied' || error.code === 'quota_exceeded'
  );
}
