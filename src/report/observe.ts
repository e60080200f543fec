/**
 * The client's call events as run records (`record-format.ts`): the one translation, used by the
 * recorder (to a file) and by the live bar (straight into a `RunTally`). It numbers lanes as it
 * meets them, naming each with its provider and model, and snapshots every lane on a timer so that
 * the limits in force are known over time.
 */
import type { Volley } from '../client/volley.js';
import { providerName } from '../telemetry/provider-name.js';
import type { FailedRecord, FinishedRecord, RunRecord, SnapshotRecord } from './record-format.js';

/** The part of a client the recorder uses. */
export type RecordableClient = Pick<Volley, 'on' | 'lanes' | 'options'>;

export interface Observation {
  /** Writes a snapshot of every lane now (also done every `snapshotMs`). */
  snapshot(): void;
  /** Stops listening, after a last snapshot. */
  stop(): void;
}

interface Open {
  /** Clock time the call last started waiting (queued, or after a failed attempt). */
  waitFrom: number;
  /** Queued time over the attempts before the current one (ms). */
  queued: number;
  /** Clock time the current attempt started; -1 while waiting. */
  startedAt: number;
}

/** Emits the records of `volley`'s events, timed from `t0` (clock ms). */
export function observeRun(
  volley: RecordableClient,
  write: (record: RunRecord) => void,
  t0: number,
  snapshotMs = 1000,
): Observation {
  const clock = volley.options.clock;
  const provider = volley.options.provider;
  const name = providerName(provider);
  const rel = (at: number) => Math.round(at - t0);
  const laneIndex = new Map<string, number>();
  const laneOf = (key: string, model: string): number => {
    let index = laneIndex.get(key);
    if (index === undefined) {
      index = laneIndex.size;
      laneIndex.set(key, index);
      write({ e: 'lane', l: index, k: key, m: model, p: name, u: provider.baseURL });
      snapshotLane(key);
    }
    return index;
  };
  const snapshotLane = (only?: string) => {
    const now = clock.now();
    for (const lane of volley.lanes()) {
      if (only !== undefined && lane.key !== only) continue;
      const l = laneIndex.get(lane.key);
      if (l === undefined) continue; // no call of this recording went through it yet
      const record: SnapshotRecord = {
        e: 'ls',
        t: rel(now),
        l,
        f: lane.inFlight,
        q: lane.queued,
        c: lane.concurrency,
        ...(lane.rpm === undefined ? {} : { rpm: Math.round(lane.rpm) }),
        ...(lane.tpm === undefined ? {} : { tpm: Math.round(lane.tpm) }),
        ...(lane.waitingFor === undefined ? {} : { w: lane.waitingFor }),
        ...(lane.pausedUntil === undefined ? {} : { pu: rel(lane.pausedUntil) }),
      };
      write(record);
    }
  };

  const open = new Map<string, Open>();
  const stops = [
    volley.on('queued', (e) => {
      open.set(e.id, { waitFrom: e.at, queued: 0, startedAt: -1 });
      write({
        e: 'q',
        i: e.id,
        l: laneOf(e.lane, e.model),
        t: rel(e.at),
        n: e.estimatedTokens,
        p: e.priority || undefined,
      });
    }),
    volley.on('started', (e) => {
      const call = open.get(e.id);
      if (call) {
        call.queued = e.waitedMs;
        call.startedAt = e.at;
      }
      write({ e: 's', i: e.id, l: laneOf(e.lane, e.model), t: rel(e.at), a: e.attempt });
    }),
    volley.on('rate-limited', (e) => {
      write({
        e: 'r',
        i: e.id,
        l: laneOf(e.lane, e.model),
        t: rel(e.at),
        ms: Math.round(e.pauseMs),
        st: e.status,
      });
    }),
    volley.on('retried', (e) => {
      const call = open.get(e.id);
      if (call) {
        call.waitFrom = e.at;
        call.startedAt = -1;
      }
      write({
        e: 'y',
        i: e.id,
        l: laneOf(e.lane, e.model),
        t: rel(e.at),
        a: e.attempt,
        ms: Math.round(e.delayMs),
        c: e.error.code,
        st: e.error.status,
      });
    }),
    volley.on('finished', (e) => {
      open.delete(e.id);
      const { timings, usage, finishReason, model } = e.result;
      const record: FinishedRecord = {
        e: 'f',
        i: e.id,
        l: laneOf(e.lane, e.model),
        t: rel(e.at),
        a: timings.attempts,
        lat: Math.round(timings.latencyMs),
        qd: Math.round(timings.queuedMs),
        in: usage?.promptTokens,
        out: usage?.completionTokens,
        fr: finishReason ?? undefined,
        m: model === e.model ? undefined : model,
      };
      write(record);
    }),
    volley.on('failed', (e) => {
      const call = open.get(e.id);
      open.delete(e.id);
      const inFlight = call !== undefined && call.startedAt >= 0;
      const queued = call && (inFlight ? call.queued : call.queued + (e.at - call.waitFrom));
      const record: FailedRecord = {
        e: 'x',
        i: e.id,
        l: laneOf(e.lane, e.model),
        t: rel(e.at),
        a: e.error.attempts,
        qd: queued === undefined ? undefined : Math.round(queued),
        lat: inFlight ? Math.round(e.at - call.startedAt) : undefined,
        c: e.error.code,
        st: e.error.status,
        msg: e.error.message,
      };
      write(record);
    }),
  ];

  const timer = setInterval(() => snapshotLane(), snapshotMs);
  timer.unref();
  let stopped = false;
  return {
    snapshot: () => snapshotLane(),
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      for (const stop of stops) stop();
      snapshotLane();
    },
  };
}
