/** `volley status <run>`: the live bar's numbers for a running or finished run, from its files. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readLog } from '../../journal/append-log.js';
import { Pricing, readPriceFile } from '../../pricing/index.js';
import { runFromTrace } from '../../report/flow-trace.js';
import { detectInput, ReportInputError, readRun, readTrace, siblingRecord } from '../../report/read.js';
import {
  computeStatus,
  formatStatus,
  type JournalLine,
  journalStatus,
  type RunStatus,
} from '../../report/status.js';
import { parseFlags, UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley status <run> [--json]

Prints, for a running or finished run, what its live progress bar shows: done of total, requests
and tokens per minute against the limits, 429s, retries, failures, tokens, spend, elapsed and ETA.

<run> is a run record (<out>.run.jsonl), a batch journal (<out>.journal.jsonl; the run record
next to it adds rates, limits and 429s), or a flow trace (JSON).

Options:
  --json                the numbers as one JSON object
  --prices FILE         JSON {"model": {"input": 0.15, "output": 0.6}} in USD per million tokens`;

const options = {
  json: { type: 'boolean' },
  prices: { type: 'string' },
} as const;

export const status: Command = {
  name: 'status',
  summary: "print a run's progress, rates, 429s, failures and spend from its record or journal",
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    if (positionals.length !== 1) throw new UsageError(`Expected one run record or journal.\n\n${usage}`);
    const path = resolve(io.cwd, positionals[0]!);
    const pricing = new Pricing(
      values.prices === undefined ? {} : await readPriceFile(resolve(io.cwd, values.prices)),
    );
    const now = Date.now();
    let result: RunStatus;
    try {
      result = await statusOf(path, { pricing, now });
    } catch (error) {
      if (error instanceof ReportInputError) throw new UsageError(error.message);
      throw error;
    }
    io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatStatus(result));
    return EXIT.ok;
  },
};

async function statusOf(path: string, options: { pricing: Pricing; now: number }): Promise<RunStatus> {
  switch (await detectInput(path)) {
    case 'record':
      return computeStatus(await readRun(path), options);
    case 'trace':
      return computeStatus(runFromTrace(await readTrace(path)), options);
    case 'journal': {
      const record = await siblingRecord(path);
      const live = record === undefined ? undefined : computeStatus(await readRun(record), options);
      const lines: JournalLine[] = [];
      let createdAt = Number.NaN;
      for await (const entry of readLog<JournalLine & { journal?: string; created_at?: string }>(path)) {
        if (entry.journal !== undefined) {
          if (Number.isNaN(createdAt)) createdAt = Date.parse(entry.created_at ?? '');
          continue;
        }
        lines.push(entry);
      }
      const info = await stat(path);
      return journalStatus(
        lines,
        { createdAt: Number.isFinite(createdAt) ? createdAt : info.birthtimeMs, modifiedAt: info.mtimeMs },
        live,
        options,
      );
    }
    default:
      throw new ReportInputError(
        `${path} is neither a Volley run record, a batch journal, nor a flow trace.`,
      );
  }
}
