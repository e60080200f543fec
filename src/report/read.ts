/**
 * Reading what `volley report` and `volley status` are given: a run record (`recordRun`), a flow
 * trace (`JSON.stringify(run.trace)`), or a batch journal. The kind is told from the content.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { TraceJSON } from '../flows/trace.js';
import { readLog } from '../journal/append-log.js';
import type { CallRecord, EndRecord, HeaderRecord, LaneRecord, RunRecord, SnapshotRecord } from './format.js';

/** One run of a record file, ready to aggregate. */
export interface RunData {
  readonly header: HeaderRecord;
  /** Indexed by lane number. */
  readonly lanes: LaneRecord[];
  readonly snapshots: SnapshotRecord[];
  /** Call events in the order they happened. */
  readonly events: CallRecord[];
  /** Present once the recorder was closed. */
  end: EndRecord | undefined;
  /** Time of the last record (ms since the header). */
  lastT: number;
  /** Runs before this one in the same file (a resumed batch appends). */
  earlierRuns: number;
}

export type InputKind = 'record' | 'trace' | 'journal' | 'unknown';

export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
}

/** A line of a run record: one record, or several written together. */
export type RecordLine = RunRecord | readonly RunRecord[];

/** Folds records into the last run of the file; records before the first header are ignored. */
export function collectRun(lines: Iterable<RecordLine>): RunData | undefined {
  let run: RunData | undefined;
  let runs = 0;
  for (const line of lines) {
    for (const record of Array.isArray(line) ? (line as readonly RunRecord[]) : [line as RunRecord]) {
      if (record === null || typeof record !== 'object') continue;
      if (record.e === 'run') {
        run = {
          header: record,
          lanes: [],
          snapshots: [],
          events: [],
          end: undefined,
          lastT: 0,
          earlierRuns: runs++,
        };
        continue;
      }
      if (run) add(run, record);
    }
  }
  return run;
}

function add(run: RunData, record: Exclude<RunRecord, HeaderRecord>): void {
  switch (record.e) {
    case 'lane':
      run.lanes[record.l] = record;
      return;
    case 'ls':
      run.snapshots.push(record);
      break;
    case 'end':
      run.end = record;
      break;
    case 'q':
    case 's':
    case 'r':
    case 'y':
    case 'f':
    case 'x':
      run.events.push(record);
      break;
    default:
      return; // a record kind from a newer version: skipped
  }
  if (record.t > run.lastT) run.lastT = record.t;
}

/** Reads the last run of a record file (tolerating a torn last line from a run still writing). */
export async function readRun(path: string): Promise<RunData> {
  const lines: RecordLine[] = [];
  for await (const line of readLog<RecordLine>(path)) lines.push(line);
  const run = collectRun(lines);
  if (!run) throw new ReportInputError(`${path} holds no run header: it is not a Volley run record.`);
  return run;
}

/** Tells a run record, a flow trace and a batch journal apart from the start of the file. */
export async function detectInput(path: string): Promise<InputKind> {
  let head: string;
  try {
    const file = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ReportInputError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const first = head.trimStart();
  if (/^\[?\{\s*"e"\s*:\s*"run"/.test(first)) return 'record';
  if (/^\{\s*"journal"\s*:\s*"volley-batch"/.test(first)) return 'journal';
  if (/^\{\s*"flow"\s*:/.test(first)) return 'trace';
  return 'unknown';
}

export async function readTrace(path: string): Promise<TraceJSON> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ReportInputError(`Cannot read the flow trace ${path}: ${(error as Error).message}`);
  }
  const trace = parsed as Partial<TraceJSON>;
  if (typeof trace !== 'object' || trace === null || !Array.isArray(trace.spans)) {
    throw new ReportInputError(
      `${path} is not a flow trace: expected {"flow", "startedAt", "spans": [...]}.`,
    );
  }
  return { flow: String(trace.flow ?? ''), startedAt: Number(trace.startedAt ?? 0), spans: trace.spans };
}

/** `out.jsonl.journal.jsonl` or `out.journal.jsonl` → the run record written next to it, if any. */
export async function siblingRecord(journalPath: string): Promise<string | undefined> {
  const base = journalPath.replace(/\.journal\.jsonl$/, '');
  if (base === journalPath) return undefined;
  const candidate = `${base}.run.jsonl`;
  try {
    await stat(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}
