/**
 * `runBatch(source, options)`: every line of `source` through a `Volley`, one output record per
 * line, a journal that makes the run resumable, and a summary at the end. The library face of
 * `volley run`; it never prints and never exits.
 */

import type { Volley } from '../client/volley.js';
import type { AppendLog } from '../journal/append-log.js';
import { RecordTally } from '../records/tally.js';
import type { SerializedRecord } from '../records/types.js';
import { Budget, type BudgetLimits } from './budget.js';
import { openJournal } from './journal.js';
import { emptyState, replayJournal } from './journal-state.js';
import { LineFile } from './line-file.js';
import { BatchLoop } from './loop.js';
import { OrderedWriter, type OutputOrder } from './ordered-writer.js';
import { batchPaths } from './paths.js';
import { Pricing } from './pricing.js';
import { rewriteInInputOrder } from './reorder.js';
import { type BatchSummary, summarize } from './summary.js';
import { compileTemplate, type Template } from './template.js';

export interface BatchOptions {
  readonly volley: Volley;
  /** Output JSONL file: one record per input line. */
  readonly out: string;
  /** Failed and bad lines again, on their own. @default `<out stem>.errors.jsonl`; false for none */
  readonly errors?: string | false | undefined;
  /** The durable journal. @default `<out stem>.journal.jsonl`; false for none (no resume) */
  readonly journal?: string | false | undefined;
  /** @default 'input' */
  readonly order?: OutputOrder | undefined;
  /** Fills each line's prompt from its fields, e.g. `'Summarise: {{text}}'`. */
  readonly template?: string | Template | undefined;
  /** Fail unless there is a journal to resume. @default false (resume when there is one) */
  readonly resume?: boolean | undefined;
  /** Start over, replacing the journal and the output. @default false */
  readonly force?: boolean | undefined;
  readonly budget?: BudgetLimits | undefined;
  /** @default the built-in price table */
  readonly pricing?: Pricing | undefined;
  /**
   * Items read and not yet done, at most: how far ahead the input is read.
   * @default twice the client's concurrency cap, at least 1024
   */
  readonly window?: number | undefined;
  /** Stops the run: no new work, calls on the wire get `graceMs` to finish. */
  readonly signal?: AbortSignal | undefined;
  /** @default 10_000 */
  readonly graceMs?: number | undefined;
  /** Non-blank lines in the source, when known: for progress. */
  readonly total?: number | undefined;
  /** Recorded in the journal's header. */
  readonly inputName?: string | undefined;
  /** Called once the run has started, with its live tally (for a progress display). */
  readonly onStart?: ((stats: RecordTally) => void) | undefined;
}

const BACKLOG_CHARS = 4 * 1024 * 1024;

export async function runBatch(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  options: BatchOptions,
): Promise<BatchSummary> {
  const { volley } = options;
  const { concurrency, maxConcurrency } = volley.options;
  const window = options.window ?? Math.max(1024, 2 * (concurrency ?? maxConcurrency));
  if (!Number.isInteger(window) || window < 1)
    throw new TypeError(`Expected \`window\` to be a whole number of at least 1, got ${window}.`);
  const template =
    typeof options.template === 'string' ? compileTemplate(options.template) : options.template;
  const paths = batchPaths(options.out, options.errors, options.journal);
  let journal: AppendLog | undefined;
  let resumed = false;
  if (paths.journal) {
    ({ log: journal, resumed } = await openJournal({
      path: paths.journal,
      output: paths.out,
      input: options.inputName ?? null,
      force: options.force ?? false,
      resume: options.resume ?? false,
    }));
  }
  const files: LineFile[] = [];
  try {
    const out = await LineFile.open(paths.out, { truncate: true });
    files.push(out);
    const errors = paths.errors ? await LineFile.open(paths.errors, { truncate: true }) : undefined;
    if (errors) files.push(errors);
    const state = resumed && paths.journal ? await replayJournal(paths.journal, out, errors) : emptyState();
    const clock = volley.options.clock;
    const stats = new RecordTally(clock.now(), state);
    stats.total = options.total;
    const writer = new OrderedWriter<SerializedRecord>(options.order ?? 'input', ({ record, text }) => {
      out.write(text);
      if (record.error !== null) errors?.write(text);
    });
    const budget = new Budget(options.budget ?? {}, {
      tokens: state.promptTokens + state.completionTokens,
      costUsd: state.costUsd,
    });
    const loop = new BatchLoop({
      volley,
      journal,
      writer,
      state,
      stats,
      budget,
      pricing: options.pricing ?? new Pricing(),
      input: { template },
      window,
      holdLimit: window * 8,
      outputBacklog: () => out.backlog > BACKLOG_CHARS,
      flushOutput: () => (out.backlog > BACKLOG_CHARS ? out.flush() : Promise.resolve()),
    });
    const onAbort = () => loop.stop('interrupted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    options.onStart?.(stats);
    try {
      await loop.read(source);
      await loop.drain(options.graceMs ?? 10_000);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    writer.flushAll();
    // Closed here so that a failed write is reported; the `finally` only tidies up after errors.
    for (const file of files.splice(0)) await file.close();
    const outcome = loop.stopReason ?? 'completed';
    if (outcome === 'completed' && resumed && paths.journal && writer.order === 'input') {
      await rewriteInInputOrder(paths.journal, paths.out, paths.errors);
    }
    const reason =
      outcome === 'fatal'
        ? loop.fatalError?.message
        : outcome === 'budget'
          ? `the next item would cross the ${budget.reached === 'tokens' ? 'token' : 'cost'} budget`
          : undefined;
    return summarize(stats, volley.lanes(), volley.options, { outcome, reason, files: paths });
  } finally {
    await Promise.allSettled(files.map((f) => f.close()));
    await journal?.close();
  }
}
