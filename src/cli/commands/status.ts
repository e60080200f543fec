/** `volley status <run>`: the live bar's numbers for a running or finished run, from its files. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BatchJournalView } from '../../batch-api/journal-view.js';
import { Pricing, readPriceFile } from '../../pricing/index.js';
import { RecordTally } from '../../records/tally.js';
import { runFromTrace } from '../../report/flow-trace.js';
import {
  detectInput,
  ReportInputError,
  readRun,
  readTrace,
  siblingJournal,
  siblingRecord,
} from '../../report/read.js';
import { tallyRun } from '../../report/run-tally.js';
import { formatStatus, journalStatus, type RunStatus, recordStatus } from '../../report/status.js';
import { isRunJournal, readJournalRecords } from '../../run/journal/read.js';
import { parseFlags, UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley status <run> [--json]

Prints, for a running or finished run, what its live progress bar shows: done of total, requests
and tokens per minute against the limits, 429s, retries, failures, tokens, spend, elapsed and ETA.

<run> is the output (<out>.jsonl), its run journal (<out>.journal.jsonl) or its run record
(<out>.run.jsonl): whichever is given, the other two are found beside it. Done, failures, tokens
and spend are the journal's records (what the end summary counted, every invocation); rates,
limits, 429s and what is in flight come from the run record. A flow trace (JSON) works too.
For --mode batch-api and auto, each provider batch as the journal last saw it (planned,
uploaded, submitted, then the provider's state: in_progress, completed, expired, ...; merged once
its answers are in the output), its requests done and failed, and auto's --finish-by.

--json adds "invocations" (times the run was started) and "attempts" (requests sent, every
invocation) to the figures.

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
    let result: RunStatus & { batches?: BatchJournalView };
    try {
      result = await statusOf(path, { pricing, now });
    } catch (error) {
      if (error instanceof ReportInputError) throw new UsageError(error.message);
      throw error;
    }
    if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      io.stdout.write(formatStatus(result));
      if (result.batches)
        io.stdout.write(
          (await import('../../batch-api/journal-view.js')).formatBatchView(result.batches, now),
        );
    }
    return EXIT.ok;
  },
};

/**
 * Done, failures, tokens and spend come from the run journal through the engine's reader, the
 * records the summary counted; rates, limits, 429s and what is in flight from the run record. Either
 * file, or the output they sit beside, gives both.
 */
async function statusOf(
  path: string,
  options: { pricing: Pricing; now: number },
): Promise<RunStatus & { batches?: BatchJournalView }> {
  const fromRecord = async (record: string) => {
    const run = await readRun(record);
    return recordStatus(run, tallyRun(run, options.pricing), options.now);
  };
  const kind = await detectInput(path);
  if (kind === 'trace') {
    const run = runFromTrace(await readTrace(path));
    return recordStatus(run, tallyRun(run, options.pricing), options.now);
  }
  // The journal knows which lines the output holds now (a call per line is not a line done:
  // lines edited or dropped since were paid too), the run record the rest.
  const journal = kind === 'journal' ? path : await siblingJournal(path);
  const record = kind === 'record' ? path : await siblingRecord(path);
  if (journal !== undefined)
    return journalFile(journal, record === undefined ? undefined : await fromRecord(record), options.now);
  if (record !== undefined) return fromRecord(record);
  throw new ReportInputError(
    `${path} is neither a Volley run record, a run journal, nor a flow trace, and neither is beside it.`,
  );
}

/** The journal's records through the one record tally (every invocation's, resumes included). */
async function journalFile(
  path: string,
  live: RunStatus | undefined,
  now: number,
): Promise<RunStatus & { batches?: BatchJournalView }> {
  if (!(await isRunJournal(path)))
    throw new ReportInputError(
      `${path} was written by an older Volley, whose journal this one does not read: pass its run record (<out>.run.jsonl).`,
    );
  // The records the output holds now, from their summaries.
  const journal = readJournalRecords(path);
  const records = new RecordTally(0);
  for (const record of journal.records) records.record(record, 0);
  const createdAt = Date.parse(journal.createdAt);
  const info = await stat(path);
  // A Batch API or auto run's batches, as its lifecycle journal last saw them.
  const batches =
    journal.executorEntries.length === 0
      ? undefined
      : (await import('../../batch-api/journal-view.js')).batchJournalView(journal.executorEntries);
  const status = journalStatus(
    records,
    {
      createdAt: Number.isFinite(createdAt) ? createdAt : info.birthtimeMs,
      modifiedAt: info.mtimeMs,
      invocations: journal.invocations,
    },
    live,
    now,
  );
  return batches && (batches.batches.length > 0 || batches.finishBy) ? { ...status, batches } : status;
}
