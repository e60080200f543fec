/**
 * The reading side of a run: a line is read only when the window has room (items read and not
 * yet done, and records held back for order), and handed to the dispatcher. Stopping (Ctrl-C, a
 * budget, a fatal error) ends the reading at once; `drain` then waits for the calls on the wire,
 * cancelling what is left once the grace period of an interrupt is over.
 */
import type { Volley } from '../client/volley.js';
import type { VolleyError } from '../errors.js';
import type { AppendLog } from '../journal/append-log.js';
import type { RecordTally } from '../records/tally.js';
import type { SerializedRecord } from '../records/types.js';
import type { Budget } from './budget.js';
import { CallSet } from './calls.js';
import { Committer } from './commit.js';
import { Dispatcher } from './dispatch.js';
import { type InputOptions, parseLine, parseValue } from './input.js';
import type { JournalState } from './journal-state.js';
import type { OrderedWriter } from './ordered-writer.js';
import type { Pricing } from './pricing.js';
import { InvalidLine, LineSource } from './read-lines.js';

export type StopReason = 'interrupted' | 'budget' | 'fatal';

export interface LoopParts {
  readonly volley: Volley;
  readonly journal: AppendLog | undefined;
  readonly writer: OrderedWriter<SerializedRecord>;
  readonly state: JournalState;
  readonly stats: RecordTally;
  readonly budget: Budget;
  readonly pricing: Pricing;
  readonly input: InputOptions;
  /** Items read and not yet done, at most. */
  readonly window: number;
  /** Finished records held back for input order, at most, before reading pauses. */
  readonly holdLimit: number;
  /** True when the output file has fallen behind; `flushOutput` waits for it. */
  readonly outputBacklog: () => boolean;
  readonly flushOutput: () => Promise<void>;
}

export class BatchLoop {
  stopReason: StopReason | undefined;
  fatalError: VolleyError | Error | undefined;
  readonly #calls: CallSet;
  readonly #committer: Committer;
  readonly #dispatcher: Dispatcher;
  #wake: (() => void) | undefined;
  #interrupt: (() => void) | undefined;
  #line = 0;

  constructor(private readonly parts: LoopParts) {
    this.#calls = new CallSet(parts.volley);
    this.#committer = new Committer({
      ...parts,
      clock: parts.volley.options.clock,
      onSettled: () => this.#notify(),
      onJournalError: (error) => this.stop('fatal', error),
    });
    this.#dispatcher = new Dispatcher({
      ...parts,
      calls: this.#calls,
      committer: this.#committer,
      stop: (reason, error) => this.stop(reason, error),
    });
  }

  /** Ends the reading; on an interrupt or a fatal error, calls not yet sent are cancelled too. */
  stop(reason: StopReason, error?: VolleyError | Error): void {
    if (reason === 'fatal' && !this.fatalError) this.fatalError = error;
    if (!this.stopReason || reason === 'fatal') this.stopReason = reason;
    if (reason !== 'budget') this.#calls.stopWaiting();
    this.#notify();
  }

  /** Reads until the source ends or the run stops. */
  async read(source: Iterable<unknown> | AsyncIterable<unknown>): Promise<void> {
    try {
      if (source instanceof LineSource) await this.#readBatches(source);
      else if (Symbol.asyncIterator in source) await this.#readAsync(source);
      else await this.#readSync(source);
    } catch (error) {
      this.stop('fatal', new Error(`Reading the input failed: ${(error as Error).message}`));
    }
  }

  async #readSync(source: Iterable<unknown>): Promise<void> {
    for (const entry of source) {
      if (!this.#hasRoom()) await this.#room();
      if (this.stopReason) return;
      this.#take(entry);
    }
  }

  async #readBatches(source: LineSource): Promise<void> {
    await this.#readAsync(source.lines(), async ({ entries }) => {
      for (const text of entries) {
        if (!this.#hasRoom()) await this.#room();
        if (this.stopReason) return false;
        this.#take(text);
      }
      return true;
    });
  }

  async #readAsync<T>(source: AsyncIterable<T>, each?: (entry: T) => Promise<boolean>): Promise<void> {
    const iterator = source[Symbol.asyncIterator]();
    try {
      while (!this.stopReason) {
        if (!each && !this.#hasRoom()) await this.#room();
        if (this.stopReason) break;
        const next = await this.#orStop(iterator.next());
        if (next === undefined || next.done) break;
        if (each) {
          if (!(await each(next.value))) break;
        } else {
          this.#take(next.value);
        }
      }
    } finally {
      // Not awaited: a read still pending (a quiet stdin) must not hold the run open.
      iterator.return?.(undefined)?.catch(() => {});
    }
  }

  #take(entry: unknown): void {
    const line = ++this.#line;
    const { input } = this.parts;
    const parsed =
      entry instanceof InvalidLine
        ? { problem: { line, customId: undefined, field: undefined, message: entry.message } }
        : typeof entry === 'string'
          ? parseLine(entry, line, input)
          : parseValue(entry, line, input);
    if (parsed !== undefined) this.#dispatcher.take(line, parsed);
  }

  /** Waits for every item read to be done or given up; after `graceMs` of a stop, cancels the rest. */
  async drain(graceMs: number): Promise<void> {
    const cancel =
      this.stopReason === 'interrupted' || this.stopReason === 'fatal'
        ? this.parts.volley.options.clock.setTimer(() => this.#calls.cancelAll(), graceMs)
        : undefined;
    while (this.#committer.pending > 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    cancel?.();
    this.#calls.dispose();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    if (this.stopReason) this.#interrupt?.();
  }

  /**
   * `pending`, or undefined as soon as the run stops, whichever comes first. Not `Promise.race`
   * with one long-lived stop promise: that would leave a reaction on it for every line read.
   */
  #orStop<T>(pending: Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.#interrupt = () => resolve(undefined);
      pending.then(resolve, reject);
    });
  }

  #hasRoom(): boolean {
    const { window, holdLimit, writer, outputBacklog } = this.parts;
    return this.#committer.pending < window && writer.held < holdLimit && !outputBacklog();
  }

  async #room(): Promise<void> {
    const { window, holdLimit, writer } = this.parts;
    while (!this.stopReason && (this.#committer.pending >= window || writer.held >= holdLimit)) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    await this.parts.flushOutput();
  }
}
