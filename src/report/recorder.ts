/**
 * The run recorder: subscribes to a client's call events and appends them, in the compact format of
 * `format.ts`, to a durable JSON Lines file, plus a snapshot of every lane each second so that a
 * report can draw the limits in force over time. Per event it builds one small object; the records
 * of one event-loop turn go to the file as one line and one append, so that a 100,000-call run
 * barely notices the recorder (see `test-support/measure.ts`).
 */
import { rm } from 'node:fs/promises';
import { AppendLog } from '../journal/append-log.js';
import { observeRun, type RecordableClient } from './observe.js';
import {
  type ConfiguredLimits,
  type HeaderRecord,
  RECORD_VERSION,
  type RunMeta,
  type RunRecord,
} from './record-format.js';

export type { RecordableClient } from './observe.js';

export interface RecordRunOptions {
  /** The file to write, conventionally `<out>.run.jsonl`. */
  readonly path: string;
  readonly meta?: RunMeta | undefined;
  /** How often lanes are snapshotted (ms). @default 1000 */
  readonly snapshotMs?: number | undefined;
  /**
   * Add this invocation as a new segment of what the file holds (a resumed run keeps its history)
   * instead of starting the file afresh. @default false
   */
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

  const observation = observeRun(volley, write, t0, snapshotMs);
  let closing: Promise<void> | undefined;

  return {
    path,
    snapshot: () => observation.snapshot(),
    close() {
      closing ??= (async () => {
        observation.stop();
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
