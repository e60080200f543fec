/** See a run: the recorder, the HTML report built from its file, and `volley status`'s numbers. */
import { rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TraceJSON } from '../flows/trace.js';
import { type PriceTable, Pricing } from '../pricing/index.js';
import { type AggregateOptions, aggregate, type ReportModel } from './aggregate.js';
import { runFromTrace } from './flow-trace.js';
import { renderReport } from './html.js';
import { detectInput, ReportInputError, type RunData, readRun, readTrace, siblingRecord } from './read.js';

export type { AggregateOptions, ReportModel } from './aggregate.js';
export { aggregate } from './aggregate.js';
export type { RunMeta, RunRecord } from './format.js';
export { renderReport } from './html.js';
export { collectRun, ReportInputError, type RunData, readRun } from './read.js';
export { type RecordableClient, type RecordRunOptions, type RunRecorder, recordRun } from './recorder.js';
export { computeStatus, formatStatus, type RunStatus } from './status.js';

export interface LoadedRun {
  readonly run: RunData;
  readonly trace: TraceJSON | undefined;
  /** The file the run came from. */
  readonly source: string;
}

/**
 * Reads a run record, a flow trace, or a batch journal with a run record next to it. `tracePath`
 * adds a flow trace to a run record.
 */
export async function loadRun(path: string, tracePath?: string): Promise<LoadedRun> {
  const kind = await detectInput(path);
  const extraTrace = tracePath === undefined ? undefined : await readTrace(tracePath);
  switch (kind) {
    case 'record':
      return { run: await readRun(path), trace: extraTrace, source: path };
    case 'trace': {
      const trace = await readTrace(path);
      return { run: runFromTrace(trace), trace, source: path };
    }
    case 'journal': {
      const record = await siblingRecord(path);
      if (!record) {
        throw new ReportInputError(
          `${path} is a batch journal: it holds the answers but not when each call waited, ran or retried. ` +
            `Pass the run record written next to it (<out>.run.jsonl) instead.`,
        );
      }
      return { run: await readRun(record), trace: extraTrace, source: record };
    }
    default:
      throw new ReportInputError(
        `${path} is neither a Volley run record (.run.jsonl), a flow trace (JSON), nor a batch journal.`,
      );
  }
}

export interface ReportOptions extends Omit<AggregateOptions, 'pricing' | 'trace' | 'source'> {
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
  const model = aggregate(loaded.run, {
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
