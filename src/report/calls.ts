/**
 * Rebuilds each call's life from the run record's events: when it waited, flew, backed off, and
 * how it ended. Pure: records in, calls out.
 */
import type { CallEvent, RunData } from './events.js';
import { upsert } from './maps.js';

/** What a call was doing over a stretch of time. `wait` is split into queued/limit later. */
export type SegmentKind = 'queued' | 'limit' | 'flight' | 'backoff' | 'done' | 'failed';

export const WAIT = 0;
export const FLIGHT = 1;
export const BACKOFF = 2;
export const DONE = 3;
export const FAILED = 4;
const NONE = -1;

export type CallStatus = 'ok' | 'failed' | 'unfinished';

export interface CallTrack {
  readonly id: string;
  readonly lane: number;
  /** The invocation that made it. */
  readonly segment: number;
  /** Time queued (ms since the run's start). */
  readonly queuedAt: number;
  /** Flat `[kind, from, to]` triples, kinds WAIT..FAILED, in time order. */
  readonly segs: number[];
  status: CallStatus;
  /** Time it settled, or the end of the record for an unfinished call. */
  end: number;
  attempts: number;
  latencyMs: number | undefined;
  queuedMs: number | undefined;
  promptTokens: number;
  completionTokens: number;
  /** The model that answered (undefined until it did). */
  model: string | undefined;
  code: string | undefined;
  httpStatus: number | undefined;
  message: string | undefined;
  openKind: number;
  openAt: number;
}

export interface Rebuilt {
  /** In the order the calls were queued. */
  readonly calls: CallTrack[];
  /** 429 pauses per lane, `[from, to)`. */
  readonly pauses: Map<number, Array<[number, number]>>;
}

/**
 * Replays call events into calls. A call still open when its invocation ended (or at the end of
 * the record) is closed there as unfinished: a later invocation that sends it again makes a new call.
 */
export function rebuildCalls(run: Pick<RunData, 'events' | 'segments' | 'endT'>): Rebuilt {
  const calls: CallTrack[] = [];
  const open = new Map<string, CallTrack>();
  const pauses = new Map<number, Array<[number, number]>>();
  let segment = 0;
  const endOf = (k: number) => {
    const seg = run.segments[k];
    return seg ? seg.offset + seg.durationMs : run.endT;
  };
  const closeOpen = (at: number) => {
    for (const call of open.values()) {
      close(call, Math.max(at, call.openAt));
      call.end = Math.max(at, call.queuedAt);
    }
    open.clear();
  };
  const get = (e: CallEvent): CallTrack => {
    let call = open.get(e.id);
    if (!call) {
      call = newCall(e.id, e.lane, e.segment, e.at);
      open.set(e.id, call);
      calls.push(call);
    }
    return call;
  };
  for (const e of run.events) {
    if (e.segment !== segment) {
      closeOpen(endOf(segment));
      segment = e.segment;
    }
    switch (e.type) {
      case 'queued': {
        const call = newCall(e.id, e.lane, e.segment, e.at);
        open.set(e.id, call);
        calls.push(call);
        break;
      }
      case 'started': {
        const call = get(e);
        close(call, e.at);
        call.openKind = FLIGHT;
        call.openAt = e.at;
        call.attempts = Math.max(call.attempts, e.attempt);
        break;
      }
      case 'rate-limited':
        upsert(pauses, e.lane, () => []).push([e.at, e.at + e.pauseMs]);
        break;
      case 'retried': {
        const call = get(e);
        close(call, e.at);
        call.segs.push(BACKOFF, e.at, e.at + e.delayMs);
        call.openKind = WAIT;
        call.openAt = e.at + e.delayMs;
        break;
      }
      case 'finished': {
        const call = get(e);
        closeAs(call, e.at, DONE);
        call.status = 'ok';
        call.end = e.at;
        call.attempts = e.attempts;
        call.latencyMs = e.latencyMs;
        call.queuedMs = e.queuedMs;
        call.promptTokens = e.promptTokens;
        call.completionTokens = e.completionTokens;
        call.model = e.model;
        open.delete(e.id);
        break;
      }
      case 'failed': {
        const call = get(e);
        if (e.code === 'aborted') {
          // Cancelled by the stop of its invocation: unfinished, like a call a kill left open.
          close(call, e.at);
          call.end = e.at;
          call.attempts = e.attempts;
          open.delete(e.id);
          break;
        }
        closeAs(call, e.at, FAILED);
        call.status = 'failed';
        call.end = e.at;
        call.attempts = e.attempts;
        call.latencyMs = e.latencyMs;
        call.queuedMs = e.queuedMs;
        call.code = e.code;
        call.httpStatus = e.status;
        call.message = e.message;
        open.delete(e.id);
        break;
      }
    }
  }
  closeOpen(endOf(segment));
  return { calls, pauses };
}

function newCall(id: string, lane: number, segment: number, t: number): CallTrack {
  return {
    id,
    lane,
    segment,
    queuedAt: t,
    segs: [],
    status: 'unfinished',
    end: t,
    attempts: 0,
    latencyMs: undefined,
    queuedMs: undefined,
    promptTokens: 0,
    completionTokens: 0,
    model: undefined,
    code: undefined,
    httpStatus: undefined,
    message: undefined,
    openKind: WAIT,
    openAt: t,
  };
}

/** Ends the open segment at `t`; a backoff that ran past `t` (rounding) is cut back to it. */
function close(call: CallTrack, t: number): void {
  const segs = call.segs;
  const last = segs.length - 3;
  if (last >= 0 && segs[last] === BACKOFF && segs[last + 2]! > t)
    segs[last + 2] = Math.max(segs[last + 1]!, t);
  if (call.openKind !== NONE && t > call.openAt) segs.push(call.openKind, call.openAt, t);
  call.openKind = NONE;
  call.openAt = t;
}

/** Ends the call: the attempt in flight becomes `kind`; a call that ends while waiting gets a mark. */
function closeAs(call: CallTrack, t: number, kind: number): void {
  if (call.openKind === FLIGHT) {
    call.openKind = kind;
    close(call, t);
    if (call.segs[call.segs.length - 3] !== kind) call.segs.push(kind, t, t);
    return;
  }
  close(call, t);
  call.segs.push(kind, t, t);
}
