/**
 * Rebuilds each call's life from the run record's events: when it waited, flew, backed off, and
 * how it ended. Pure: records in, calls out.
 */
import type { CallRecord } from './format.js';
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
  /** The model that answered, when it differs from the lane's. */
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

/** Replays call events into calls; calls still open at `endT` are closed there as unfinished. */
export function rebuildCalls(events: readonly CallRecord[], endT: number): Rebuilt {
  const calls: CallTrack[] = [];
  const open = new Map<string, CallTrack>();
  const pauses = new Map<number, Array<[number, number]>>();
  const get = (e: CallRecord): CallTrack => {
    let call = open.get(e.i);
    if (!call) {
      call = newCall(e.i, e.l, e.t);
      open.set(e.i, call);
      calls.push(call);
    }
    return call;
  };
  for (const e of events) {
    switch (e.e) {
      case 'q': {
        const call = newCall(e.i, e.l, e.t);
        open.set(e.i, call);
        calls.push(call);
        break;
      }
      case 's': {
        const call = get(e);
        close(call, e.t);
        call.openKind = FLIGHT;
        call.openAt = e.t;
        call.attempts = Math.max(call.attempts, e.a);
        break;
      }
      case 'r': {
        const list = upsert(pauses, e.l, () => []);
        list.push([e.t, e.t + e.ms]);
        break;
      }
      case 'y': {
        const call = get(e);
        close(call, e.t);
        call.segs.push(BACKOFF, e.t, e.t + e.ms);
        call.openKind = WAIT;
        call.openAt = e.t + e.ms;
        break;
      }
      case 'f': {
        const call = get(e);
        closeAs(call, e.t, DONE);
        call.status = 'ok';
        call.end = e.t;
        call.attempts = e.a;
        call.latencyMs = e.lat;
        call.queuedMs = e.qd;
        call.promptTokens = e.in ?? 0;
        call.completionTokens = e.out ?? 0;
        call.model = e.m;
        open.delete(e.i);
        break;
      }
      case 'x': {
        const call = get(e);
        closeAs(call, e.t, FAILED);
        call.status = 'failed';
        call.end = e.t;
        call.attempts = e.a;
        call.latencyMs = e.lat;
        call.queuedMs = e.qd;
        call.code = e.c;
        call.httpStatus = e.st;
        call.message = e.msg;
        open.delete(e.i);
        break;
      }
    }
  }
  for (const call of open.values()) {
    close(call, Math.max(endT, call.openAt));
    call.end = Math.max(endT, call.queuedAt);
  }
  return { calls, pauses };
}

function newCall(id: string, lane: number, t: number): CallTrack {
  return {
    id,
    lane,
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
