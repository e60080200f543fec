/**
 * The run engine's contracts. A run is source → items → executor → commit: a reader turns each
 * input entry into a `WorkItem` (or a record for a line that cannot be sent), an `Executor`
 * answers items in whatever way it knows (calls through the local lanes, flow runs, a provider's
 * Batch API, jobs on a queue), and the engine commits every outcome the same way: journal first,
 * then the tally, then the output. Nothing above this interface knows which executor ran.
 */
import type { Clock } from '../clock.js';
import type { PriceTier, TokenUsage } from '../pricing/index.js';
import type { RunRecord } from '../records/types.js';
import type { EndpointIdentity } from './identity.js';

/** The part of the price table the engine and its executors use (`Pricing` fits). */
export interface Prices {
  /** USD for `usage` on `model` at the tier's price; undefined for a model without a price. */
  cost(model: string, usage: TokenUsage, tier?: PriceTier): number | undefined;
}

/** What the budget can know of an item before it is answered: its model and how big it is. */
export interface SizeHint {
  readonly model: string;
  /** Characters of prompt the item sends (tokens are learned per character from the answers). */
  readonly promptChars: number;
  /** The item's own cap on output tokens (`max_tokens`), if it has one. */
  readonly maxOutputTokens?: number | undefined;
}

/** One unit of work, as the engine hands it to an executor. */
export interface WorkItem<P = unknown> {
  /** Place in this invocation's output order (0, 1, 2, ... over the records it writes). */
  readonly seq: number;
  /** 1-based line number in the input (blank lines count). */
  readonly line: number;
  /** The record's key, unique in the run: the line's `custom_id`, or `line-N`. */
  readonly key: string;
  /** Content hash of exactly what is sent: endpoint, resolved model and request, or flow and input. */
  readonly hash: string;
  /** What the executor sends: a `CallRequest`, a flow input, ... */
  readonly payload: P;
  readonly size?: SizeHint | undefined;
}

/**
 * How an item ended. A record is committed (journal, tally, output). An abandoned item has no
 * record in this invocation (it was dropped when the run stopped, or cancelled): a rerun sends it
 * again. `stop` on an abandoned item stops the whole run (a bad key, an unknown model, a server
 * unreachable for too long), with its message as the reason.
 */
export type Outcome<P = unknown> =
  | {
      readonly item: WorkItem<P>;
      readonly record: RunRecord;
      /** Anything the library caller may want beside the record (a flow's trace); never journaled. */
      readonly detail?: unknown;
    }
  | {
      readonly item: WorkItem<P>;
      readonly abandoned: true;
      readonly stop?: Error | undefined;
      /**
       * The item was handed elsewhere and its answer is collected by a rerun (a provider batch
       * submitted with `--detach`): the run ends `detached`, which is no failure.
       */
      readonly detached?: boolean | undefined;
    };

/** The one interface every way of answering items implements. */
export type { PriceTier };

export interface Executor<P = unknown> {
  /** `calls`, `flow`, `batch-api`, `queue`: journaled with each invocation and each entry it notes. */
  readonly name: string;
  /** Which price the budget reserves for its items. */
  readonly tier: PriceTier;
  /**
   * Takes items as the engine hands them over (the engine hands one over only while the run has
   * room for it), and yields each one's outcome as it finishes, in any order. Ends once `items`
   * has ended and every item taken has an outcome. An outcome for an item already committed
   * (a redelivered queue job) is dropped by the engine.
   */
  run(items: AsyncIterable<WorkItem<P>>, context: ExecutorContext): AsyncIterable<Outcome<P>>;
  /**
   * `'queued'`: drop the items taken but not yet on the wire (they become abandoned outcomes).
   * `'all'`: cancel what is in flight too (the grace period is over, or a second Ctrl-C).
   */
  stop(what: 'queued' | 'all'): void;
  /**
   * Items it can have under way at once now (for the calls executor, its lanes' concurrency caps).
   * The engine then hands over only that and a margin more (`readAhead` in `window.ts`) instead
   * of the whole `inFlight` window: an item waiting behind a full cap only holds memory. Asked
   * whenever the items handed over reach the last answer's window.
   */
  capacity?(): number;
}

export interface ExecutorContext {
  readonly clock: Clock;
  /** Aborted when the run stops taking new items (Ctrl-C, budget, a fatal error). */
  readonly signal: AbortSignal;
  readonly journal: ExecutorJournal;
  readonly pricing: Prices;
  /** What answers this run, as the journal header records it. */
  readonly identity: EndpointIdentity | undefined;
  /** Reports the executor's own state (batch states, queue depth) for the live bar and `volley status`. */
  status(update: ExecutorStatus): void;
}

/**
 * The executor's own lifecycle entries in the run journal (a batch id uploaded, a flow step
 * answered, a queue run id), durable before `note` resolves, and replayed on every resume.
 */
export interface ExecutorJournal {
  /** Entries this executor noted in earlier invocations of the run, then in this one, in order. */
  readonly entries: readonly unknown[];
  /**
   * Appends `entry` durably. With `item` (a work item's key), the entry belongs to that item: it
   * is dropped when the journal is compacted once the item has an answer.
   */
  note(entry: unknown, item?: string): Promise<void>;
}

/** The executor's state as the bar shows it, e.g. `{ phase: 'polling', detail: '2 batches in progress' }`. */
export interface ExecutorStatus {
  readonly phase: string;
  readonly detail?: string | undefined;
  readonly counts?: Readonly<Record<string, number>> | undefined;
  /** The executor's closing word (auto mode: what each path cost): the run's summary prints it. */
  readonly final?: boolean | undefined;
}

/** A line that cannot be sent: bad input, or a key an earlier line already used. */
export interface LineProblem {
  readonly line: number;
  /** The line's own `custom_id` when it could be read. */
  readonly customId: string | undefined;
  readonly code: 'invalid_input' | 'duplicate_custom_id';
  /** The field at fault (`custom_id`, `messages[2].role`, `{{text}}`), when one is. */
  readonly field?: string | undefined;
  readonly message: string;
}

export type ReadEntry<P> =
  | { readonly key: string; readonly hash: string; readonly payload: P; readonly size?: SizeHint | undefined }
  | { readonly problem: LineProblem; readonly hash: string };

/**
 * Turns input entries into items, in one mode's terms (a call's request, a flow's input), and
 * builds that mode's record for a line that cannot be sent. Several executors share one reader:
 * the local lanes, the Batch API and the queue all take call requests.
 */
export interface ItemReader<P> {
  /** One entry of the source (a line's text, or a value of an iterable); undefined for a blank line. */
  read(entry: unknown, line: number): ReadEntry<P> | undefined;
  /** The record of a line that is not sent. */
  reject(problem: LineProblem): RunRecord;
}
