/**
 * The run recorder: subscribes to a client's call events and appends them, in the compact format of
 * `format.ts`, to a durable JSON Lines file, plus a snapshot of every lane each second so that a
 * report can draw the limits in force over time. Per event it builds one small object; the records
 * of one event-loop turn go to the file as one line and one append, so that a 100,000-call run
 * barely notices the recorder (see `test-support/measure.ts`).
 */
import { rm } from 'node:fs/promises';
import type { Volley } from '../client/volley.js';
import { AppendLog } from '../journal/append-log.js';
import {
  type ConfiguredLimits,
  type FailedRecord,
  type FinishedRecord,
  type HeaderRecord,
  RECORD_VERSION,
  type RunMeta,
  type RunRecord,
  type SnapshotRecord,
} from './format.js';

/** The part of a client the recorder uses. */
export type RecordableClient = Pick<Volley, 'on' | 'lanes' | 'options'>;

export interface RecordRunOptions {
  /** The file to write, conventionally `<out>.run.jsonl`. */
  readonly path: string;
  readonly meta?: RunMeta | undefined;
  /** How often lanes are snapshotted (ms). @default 1000 */
  readonly snapshotMs?: number | undefined;
  /** Keep what the file already holds (a resumed run) instead of starting it afresh. @default false */
  readonly append?: boolean | undefined;
  /**
   * Called once, with the first error writing the file; recording stops mattering but the run goes
   * on. @default a process warning
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

export interface RunRecorder {
  readonly path: string;
  /** Writes a snapshot of every lane now (also done every `snapshotMs`). */
  snapshot(): void;
  /** Stops listening, writes a last snapshot and the end record, and closes the file. Never rejects. */
  close(): Promise<void>;
}

/** Most records on one line. */
const MAX_BATCH = 1000;

interface Open {
  /** Clock time the call last started waiting (queued, or after a failed attempt). */
  waitFrom: number;
  /** Queued time over the attempts before the current one (ms). */
  queued: number;
  /** Clock time the current attempt started; -1 while waiting. */
  startedAt: number;
}

export async function recordRun(volley: RecordableClient, options: RecordRunOptions): Promise<RunRecorder> {
  const { path, meta = {}, snapshotMs = 1000 } = options;
  if (!(snapshotMs > 0)) throw new TypeError(`recordRun: snapshotMs must be above 0, got ${snapshotMs}.`);
  if (!options.append) await rm(path, { force: true });
  const log = await AppendLog.open(path);
  const clock = volley.options.clock;
  const t0 = clock.now();
  const o = volley.options;
  const limits: ConfiguredLimits = {
    rpm: o.rpm,
    tpm: o.tpm,
    concurrency: o.concurrency,
    maxConcurrency: o.maxConcurrency,
    maxAttempts: o.maxAttempts,
    timeoutMs: o.timeout,
  };
  let writeError: unknown;
  const onError =
    options.onError ??
    ((error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      process.emitWarning(`The run record ${path} could not be written: ${detail}`);
    });
  // One handler shared by every append: no closure per record.
  const failedWrite = (error: unknown) => {
    if (writeError !== undefined) return;
    writeError = error;
    onError(error);
  };
  // Records of one event-loop turn share one line (an array): one append, one promise, one
  // handler per turn instead of per record, which is most of what recording would cost.
  let batch: RunRecord[] = [];
  let scheduled = false;
  let closed = false;
  const flush = () => {
    scheduled = false;
    if (batch.length === 0 || writeError !== undefined) return;
    const records = batch;
    batch = [];
    log.append(records.length === 1 ? records[0] : records).then(undefined, failedWrite);
  };
  const write = (record: RunRecord) => {
    if (closed) return;
    batch.push(record);
    if (batch.length >= MAX_BATCH) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const rel = (at: number) => Math.round(at - t0);

  const header: HeaderRecord = {
    e: 'run',
    v: RECORD_VERSION,
    at: t0,
    wall: new Date().toISOString(),
    meta,
    limits,
  };
  write(header);

  const laneIndex = new Map<string, number>();
  const laneOf = (key: string, model: string): number => {
    let index = laneIndex.get(key);
    if (index === undefined) {
      index = laneIndex.size;
      laneIndex.set(key, index);
      write({ e: 'lane', l: index, k: key, m: model });
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
  let closing: Promise<void> | undefined;

  return {
    path,
    snapshot: () => snapshotLane(),
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        for (const stop of stops) stop();
        snapshotLane();
        write({ e: 'end', t: rel(clock.now()), wall: new Date().toISOString() });
        flush();
        closed = true;
        try {
          await log.close();
        } catch (error) {
          failedWrite(error);
        }
      })();
      return closing;
    },
  };
}
