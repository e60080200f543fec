/** See a run: the recorder, the HTML report built from its file, and `volley status`'s numbers. */
import { rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TraceJSON } from '../flows/trace.js';
import { type PriceTable, Pricing } from '../pricing/index.js';
import type { ReportOptions as ModelOptions } from './context.js';
import type { RunData } from './events.js';
import { runFromTrace } from './flow-trace.js';
import { type ReportModel, renderReport, reportModel } from './page.js';
import { detectInput, ReportInputError, readRun, readTrace, siblingRecord } from './read.js';

export { decodeRun } from './decode.js';
export type { RunData } from './events.js';
export type { ReportModel } from './page.js';
export { renderReport, reportModel } from './page.js';
export { ReportInputError, readRun } from './read.js';
export type { RunMeta, RunRecord } from './record-format.js';
export { type RecordableClient, type RecordRunOptions, type RunRecorder, recordRun } from './recorder.js';
export { RunTally, tallyRun } from './run-tally.js';
export { formatStatus, type RunStatus, recordStatus } from './status.js';

export interface LoadedRun {
  readonly run: RunData;
  readonly trace: TraceJSON | undefined;
  /** The file the run came from. */
  readonly source: string;
}

/**
 * Reads a run record, a flow trace, or the run record beside a batch journal or output (`volley
 * report out.jsonl` finds `out.run.jsonl`). `tracePath` adds a flow trace to a run record.
 */
export async function loadRun(path: string, tracePath?: string): Promise<LoadedRun> {
  const kind = await detectInput(path);
  const extraTrace = tracePath === undefined ? undefined : await readTrace(tracePath);
  if (kind === 'record') return { run: await readRun(path), trace: extraTrace, source: path };
  if (kind === 'trace') {
    const trace = await readTrace(path);
    return { run: runFromTrace(trace), trace, source: path };
  }
  const record = await siblingRecord(path);
  if (record) return { run: await readRun(record), trace: extraTrace, source: record };
  if (kind === 'journal' || kind === 'output') {
    throw new ReportInputError(
      `${path} holds the answers but not when each call waited, ran or retried, and no run record ` +
        `(<out>.run.jsonl) is beside it: pass the run record instead.`,
    );
  }
  throw new ReportInputError(
    `${path} is neither a Volley run record (.run.jsonl), a flow trace (JSON), nor a batch output or journal with its run record beside it.`,
  );
}

export interface ReportOptions extends Omit<ModelOptions, 'pricing' | 'trace' | 'source'> {
  /** A flow trace (JSON) to group the calls by step and mark the critical path. */
  readonly trace?: string | undefined;
  /** Prices added to or replacing the built-in table. */
  readonly prices?: PriceTable | undefined;
}

/** Builds the report of the run in `path`: the page, and the figures on it. */
export async function buildReport(
  path: string,
  options: ReportOptions = {},
): Promise<{ html: string; model: ReportModel }> {
  const loaded = await loadRun(path, options.trace);
  const model = reportModel(loaded.run, {
    ...options,
    trace: loaded.trace,
    pricing: new Pricing(options.prices ?? {}),
    source: basename(loaded.source),
  });
  return { html: renderReport(model), model };
}

/** Builds the report of the run in `input` and writes the page to `output`, whole or not at all. */
export async function writeReport(
  input: string,
  output: string,
  options: ReportOptions = {},
): Promise<{ model: ReportModel; bytes: number }> {
  const { html, model } = await buildReport(input, options);
  const partial = `${output}.partial`;
  await writeFile(partial, html);
  await rename(partial, output);
  return { model, bytes: Buffer.byteLength(html) };
}
