/**
 * `runEngine`: one run, source → items → executor → commit, the same for every executor. It
 * takes the output's lock, opens (or resumes) the journal, reads the source as far as the window
 * lets it, hands items to the executor, commits every outcome (journal first, then the tally, then
 * the output in order), and at the end rebuilds the output and compacts the journal (see
 * `journal/rebuild.ts`). It never prints and never exits: it returns a `RunSummary`.
 */
import type { Clock } from '../clock.js';
import type { OpenFile } from '../journal/file.js';
import { LockError, takeLock } from '../journal/lock.js';
import { RecordTally } from '../records/tally.js';
import { type BudgetLimits, RunBudget } from './budget.js';
import { Committer } from './commit.js';
import { RunError } from './errors.js';
import { Feed, type StopReason } from './feed.js';
import { checkFolders, compactOf, partialOf, remove, runPaths } from './files.js';
import type { EndpointIdentity } from './identity.js';
import type { RecordMeta, SealEntry } from './journal/entries.js';
import { commitRebuild } from './journal/rebuild.js';
import { RunJournal } from './journal/run-journal.js';
import { RunState } from './journal/state.js';
import type { OutputOrder } from './ordered-writer.js';
import { fileSink, type LineSink, OutputWriter, streamSink } from './output.js';
import { type RunOutcome, type RunSummary, summarize } from './summary.js';
import type { Executor, ExecutorContext, ExecutorStatus, ItemReader, Prices } from './types.js';

export interface EngineOptions<P> {
  readonly source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly reader: ItemReader<P>;
  readonly executor: Executor<P>;
  readonly clock: Clock;
  /** The output file, a stream for the records (`--out -`), or none (records only to `onRecord`). */
  readonly out?: string | NodeJS.WritableStream | undefined;
  /** Failed and bad lines again. @default `<out stem>.errors.jsonl` beside an output file; false for none */
  readonly errors?: string | false | undefined;
  /** The run journal. @default `<out stem>.journal.jsonl` beside an output file; false for none (no resume) */
  readonly journal?: string | false | undefined;
  /** @default 'input' */
  readonly order?: OutputOrder | undefined;
  /** Fail unless there is a journal to resume. @default false */
  readonly resume?: boolean | undefined;
  /** Start over, replacing the journal and the output. @default false */
  readonly force?: boolean | undefined;
  /** Accept another endpoint than the journal's, sending again the lines whose hash differs under it. @default false */
  readonly rerunChanged?: boolean | undefined;
  /** Send again the lines whose last record is a failure. @default false */
  readonly retryFailed?: boolean | undefined;
  readonly budget?: BudgetLimits | undefined;
  readonly pricing: Prices;
  /** Completion tokens the budget assumes for an item before any answer has said. @default 256 */
  readonly outputTokens?: number | undefined;
  /** What answers this run, for the journal's header and the resume check. */
  readonly identity?: EndpointIdentity | undefined;
  /**
   * Items read and not yet done, at most: how far ahead of the answers the input is read. An
   * executor that states its `capacity` is handed fewer (`readAhead` in `window.ts`).
   */
  readonly inFlight: number;
  /** Stops taking new items; items in flight get `graceMs` to finish. */
  readonly signal?: AbortSignal | undefined;
  /** Cancels everything at once (a second Ctrl-C). */
  readonly hardSignal?: AbortSignal | undefined;
  /** @default 10_000 */
  readonly graceMs?: number | undefined;
  /** Non-blank entries in the source, when known: for progress, and to know that all were read. */
  readonly total?: number | undefined;
  /** The input's name, for the journal's segment. */
  readonly inputName?: string | null | undefined;
  /** Called once the run has started, with its live tally (for a progress display). */
  readonly onStart?: ((tally: RecordTally) => void) | undefined;
  readonly onStatus?: ((status: ExecutorStatus) => void) | undefined;
  /** The journal's file operations. @default the real file system; tests inject a full disk */
  readonly journalFile?: OpenFile | undefined;
  /** Each record as it is written, in output order, with what the executor gave beside it. */
  readonly onRecord?: ((meta: RecordMeta, text: string, detail: unknown) => void) | undefined;
}

/** Output not yet written, in characters, at most, before reading pauses. */
const BACKLOG_CHARS = 4 * 1024 * 1024;

export async function runEngine<P>(options: EngineOptions<P>): Promise<RunSummary> {
  const { executor, clock } = options;
  if (!Number.isInteger(options.inFlight) || options.inFlight < 1)
    throw new TypeError(`Expected \`inFlight\` to be a whole number of at least 1, got ${options.inFlight}.`);
  const outPath = typeof options.out === 'string' ? options.out : undefined;
  const paths = runPaths(outPath, options.errors, options.journal);
  await checkFolders(paths);
  const lockPath = paths.out ?? paths.journal;
  const lock = lockPath === undefined ? undefined : await lockOutput(lockPath);
  const opened: LineSink[] = [];
  let journal: RunJournal | undefined;
  try {
    journal =
      paths.journal === undefined
        ? undefined
        : await RunJournal.open({
            paths: { ...paths, journal: paths.journal },
            force: options.force ?? false,
            resume: options.resume ?? false,
            identity: options.identity,
            rerunChanged: options.rerunChanged ?? false,
            executor: executor.name,
            input: options.inputName ?? null,
            openFile: options.journalFile,
          });
    if (paths.out !== undefined)
      await Promise.all(
        [partialOf(paths.out), paths.errors && partialOf(paths.errors)].map((p) => p && remove(p)),
      );
    const state = journal?.state ?? new RunState();
    const compact = journal !== undefined && paths.out !== undefined;
    const sink = async (path: string) => {
      const file = await fileSink(path);
      opened.push(file);
      return file;
    };
    const out = paths.out
      ? await sink(partialOf(paths.out))
      : options.out === undefined
        ? undefined
        : streamSink(options.out as NodeJS.WritableStream);
    const errors = paths.errors ? await sink(partialOf(paths.errors)) : undefined;
    const index = compact ? await sink(compactOf(journal!.path)) : undefined;
    if (index)
      for (const entry of [journal!.header, ...journal!.segments]) index.write(JSON.stringify(entry));

    const tally = new RecordTally(clock.now(), { counts: state.counts, costUsd: state.spent.usd });
    tally.total = options.total;
    const budget = new RunBudget(
      options.budget ?? {},
      state.spent,
      state.answers,
      options.pricing,
      executor.tier,
      options.outputTokens ?? 256,
    );
    const writer = new OutputWriter({
      order: options.order ?? 'input',
      out,
      errors,
      index,
      read: (slot) => journal!.read(slot),
      onEmit: options.onRecord,
      onError: (error) => stop('fatal', error),
    });

    let stopReason: StopReason | undefined;
    let fatal: Error | undefined;
    const stopping = new AbortController();
    const cancelGrace: Array<() => void> = [];
    const stop = (reason: StopReason, error?: Error) => {
      if (reason === 'fatal' && fatal === undefined) fatal = error;
      if (stopReason === undefined || reason === 'fatal') stopReason = reason;
      feed.stop();
      if (!stopping.signal.aborted) stopping.abort();
      if (reason === 'budget' || reason === 'detached') return;
      executor.stop('queued');
      if (cancelGrace.length === 0)
        cancelGrace.push(clock.setTimer(() => executor.stop('all'), options.graceMs ?? 10_000));
    };
    const committer = new Committer({
      journal,
      state,
      tally,
      writer,
      budget,
      clock,
      onSettled: () => feed.wake(),
      onJournalError: (error) => stop('fatal', error),
    });
    const feed: Feed<P> = new Feed({
      source: options.source,
      reader: options.reader,
      state,
      committer,
      writer,
      budget,
      tally,
      inFlight: options.inFlight,
      capacity: executor.capacity && (() => executor.capacity!()),
      holdLimit: options.inFlight * 8,
      backlogLimit: BACKLOG_CHARS,
      retryFailed: options.retryFailed ?? false,
      total: options.total,
      onStop: (reason) => stop(reason),
    });
    let closing: ExecutorStatus | undefined;
    const context: ExecutorContext = {
      clock,
      signal: stopping.signal,
      journal: {
        entries: journal?.entriesOf(executor.name) ?? [],
        note: (entry, item) => journal?.note(executor.name, entry, item) ?? Promise.resolve(),
      },
      pricing: options.pricing,
      identity: options.identity,
      status: (update) => {
        if (update.final) closing = update;
        options.onStatus?.(update);
      },
    };

    const onSignal = () => stop('interrupted');
    const onHard = () => {
      stop('interrupted');
      executor.stop('all');
    };
    options.signal?.addEventListener('abort', onSignal, { once: true });
    options.hardSignal?.addEventListener('abort', onHard, { once: true });
    if (options.signal?.aborted) onSignal();
    if (options.hardSignal?.aborted) onHard();
    let abandoned = 0;
    options.onStart?.(tally);
    try {
      for await (const outcome of executor.run(feed, context)) {
        // A second outcome for an item (a redelivered job) is dropped.
        if (!feed.answered(outcome.item.seq)) continue;
        if ('record' in outcome) {
          committer.commit(outcome.item, outcome.record, outcome.detail);
        } else {
          abandoned++;
          committer.abandon(outcome.item.seq);
          if (outcome.stop) stop('fatal', outcome.stop);
          else if (outcome.detached) stop('detached');
        }
      }
    } catch (error) {
      stop('fatal', error instanceof Error ? error : new Error(String(error)));
    } finally {
      options.signal?.removeEventListener('abort', onSignal);
      options.hardSignal?.removeEventListener('abort', onHard);
      for (const cancel of cancelGrace) cancel();
    }
    // Items the executor never answered, then records whose journal append is still under way.
    for (const seq of feed.unanswered()) {
      abandoned++;
      committer.abandon(seq);
    }
    await committer.drained();
    const { invocation, identityChanges, warnings } = journal ?? {
      invocation: 1,
      identityChanges: [],
      warnings: [],
    };

    // Every line finished inside the grace period: nothing is left to resume.
    const outcome: RunOutcome =
      stopReason === undefined ||
      (stopReason === 'interrupted' && abandoned === 0 && feed.exhausted && !fatal)
        ? 'completed'
        : stopReason;
    let rest: Iterable<number> = [];
    let dropped = 0;
    if (outcome === 'completed' && journal) {
      for (const slot of state.unseen()) {
        dropped++;
        tally.forget(state.kind(slot));
        state.retire(slot);
      }
    } else if (journal) {
      rest = state.unseen();
    }
    writer.finish(rest);
    if (index && journal && !writer.failed) {
      for (const entry of journal.executorEntries) {
        if (entry.i !== undefined && state.answered(entry.i)) continue;
        index.write(JSON.stringify(entry));
      }
      const seal: SealEntry = {
        t: 'z',
        spent: { tokens: state.spent.tokens, usd: state.spent.usd },
        output: { ...writer.out.seal, records: writer.records },
        errors: paths.errors ? writer.errors.seal : null,
      };
      index.write(JSON.stringify(seal));
    }
    await writer.close();
    opened.length = 0;
    await journal?.close();
    journal = undefined;
    if (paths.out !== undefined && !writer.failed) await commitRebuild(paths, { compact });
    else if (paths.out !== undefined) {
      // A line of the rebuild could not be written: the old output and journal stand.
      const stale = [partialOf(paths.out), paths.errors && partialOf(paths.errors)];
      await Promise.all([...stale, paths.journal && compactOf(paths.journal)].map((p) => p && remove(p)));
    }

    const reason =
      outcome === 'fatal'
        ? fatal?.message
        : outcome === 'budget'
          ? `the next item would cross the whole run's ${budget.reached === 'tokens' ? 'token' : 'cost'} budget`
          : undefined;
    return summarize({
      outcome,
      reason,
      executor: executor.name,
      invocation,
      files: { out: paths.out, errors: paths.errors, journal: paths.journal },
      tally,
      resume: { ...feed.counts, dropped, identityChanges },
      budget,
      outputCounts: state.counts,
      warnings,
      closing,
    });
  } finally {
    await Promise.allSettled(opened.map((file) => file.close()));
    await journal?.close().catch(() => {});
    await lock?.release();
  }
}

/** One run per output: a second run on the same output stops at once, naming the first. */
async function lockOutput(path: string) {
  try {
    return await takeLock(path);
  } catch (error) {
    if (error instanceof LockError)
      throw new RunError('locked', `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}
