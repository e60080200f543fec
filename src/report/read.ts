/**
 * Reading what `volley report` and `volley status` are given: a run record (`recordRun`), a flow
 * trace (`JSON.stringify(run.trace)`), or a batch journal, or the output beside them. The kind is told
 * from the content.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { TraceJSON } from '../flows/trace.js';
import { readLogChunks } from '../journal/append-log.js';
import { type RecordLine, RunDecoder } from './decode.js';
import type { RunData } from './events.js';

export type InputKind = 'record' | 'trace' | 'journal' | 'output' | 'unknown';

export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
}

/** Reads every invocation of a record file (tolerating a torn last line from a run still writing). */
export async function readRun(path: string): Promise<RunData> {
  const decoder = new RunDecoder();
  for await (const lines of readLogChunks<RecordLine>(path)) for (const line of lines) decoder.line(line);
  if (decoder.run.segments.length === 0)
    throw new ReportInputError(`${path} holds no run header: it is not a Volley run record.`);
  return decoder.run;
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
  if (/^\{\s*("t"\s*:\s*"h"\s*,\s*)?"journal"\s*:\s*"volley-(batch|run)"/.test(first)) return 'journal';
  if (/^\{\s*"flow"\s*:/.test(first)) return 'trace';
  if (/^\{\s*"id"\s*:\s*"batch_req_/.test(first)) return 'output';
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

/**
 * The run record written beside `path`: `<stem>.run.jsonl` for a journal (`<stem>.journal.jsonl`)
 * or an output (`<stem>.jsonl`, as `volley run --out` names it). Undefined when there is none.
 */
export function siblingRecord(path: string): Promise<string | undefined> {
  const output = path.replace(/\.journal\.jsonl$/, '');
  const stem = output.replace(/\.(jsonl|ndjson|json)$/i, '');
  return firstFile(path, [`${stem}.run.jsonl`, `${output}.run.jsonl`]);
}

/** The run engine's journal beside an output or a run record (`<stem>.journal.jsonl`), if any. */
export async function siblingJournal(path: string): Promise<string | undefined> {
  const output = path.replace(/\.run\.jsonl$/, '');
  const stem = output.replace(/\.(jsonl|ndjson|json)$/i, '');
  const journal = await firstFile(path, [`${stem}.journal.jsonl`, `${output}.journal.jsonl`]);
  return journal !== undefined && (await detectInput(journal)) === 'journal' ? journal : undefined;
}

async function firstFile(path: string, candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (candidate === path) continue;
    try {
      await stat(candidate);
      return candidate;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}
