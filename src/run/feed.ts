/**
 * The reading side of a run: entries are read from the source only while the run has room (items
 * read and not yet done, records held back for order, the output's backlog), and each becomes
 * what it must: a record for a bad line or a repeated key, an earlier run's record kept as it is
 * (the same request was answered), or a work item for the executor, once the budget has room for
 * it. The executor pulls items from here as an async iterable; stopping ends it at once.
 */
import { contentHash } from '../records/hash.js';
import type { RecordTally } from '../records/tally.js';
import type { RunBudget } from './budget.js';
import type { Committer } from './commit.js';
import type { RunState } from './journal/state.js';
import { IdSet } from './keys.js';
import type { OutputWriter } from './output.js';
import { BadEntry, type EntrySource, openSource } from './source.js';
import type { ItemReader, LineProblem, ReadEntry, WorkItem } from './types.js';
import { readAhead } from './window.js';

export type StopReason = 'interrupted' | 'budget' | 'fatal' | 'detached';

/** What a resume found in the input, against what the journal holds. */
export interface ResumeCounts {
  /** Lines no earlier invocation answered. */
  new: number;
  /** Lines whose request differs from the one their record answered: sent again. */
  changed: number;
  /** Lines whose earlier record stands. */
  unchanged: number;
  /** Records of lines no longer in the input: left out of the output. */
  dropped: number;
  /** Lines whose last record is a failure, sent again (`retryFailed`). */
  retried: number;
  /** Lines whose last record is a failure, kept as it is (no `retryFailed`). */
  failedKept: number;
}

export interface FeedParts<P> {
  readonly source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly reader: ItemReader<P>;
  readonly state: RunState;
  readonly committer: Committer;
  readonly writer: OutputWriter;
  readonly budget: RunBudget;
  readonly tally: RecordTally;
  /** Items read and not yet done, at most. */
  readonly inFlight: number;
  /**
   * What the executor can have under way at once now (`Executor.capacity`): items handed over and
   * without an outcome stay within `readAhead` of it. Undefined: only `inFlight` bounds them.
   */
  readonly capacity?: (() => number) | undefined;
  /** Records held back for input order, at most, before reading pauses. */
  readonly holdLimit: number;
  /** Output characters not yet written, at most, before reading pauses. */
  readonly backlogLimit: number;
  readonly retryFailed: boolean;
  /** Non-blank entries the source has, when known: reading them all is the end of the input. */
  readonly total: number | undefined;
  /** The feed stopped itself (the budget). */
  readonly onStop: (reason: StopReason) => void;
}

export class Feed<P> implements AsyncIterable<WorkItem<P>> {
  readonly counts: ResumeCounts = { new: 0, changed: 0, unchanged: 0, dropped: 0, retried: 0, failedKept: 0 };
  /** Items handed to the executor and without an outcome yet, by `seq`. */
  readonly #handed = new Set<number>();
  /**
   * `readAhead` of the executor's capacity, as last asked: asked again only when the items handed
   * over reach it (a lane's cap moves with its answers, and asking costs a snapshot of every lane).
   */
  #ahead = 0;
  #stopped = false;
  #ended = false;
  #nonBlank = 0;
  readonly #seen = new IdSet();
  readonly #source: EntrySource;
  #wake: (() => void) | undefined;
  /** Ends a read of the source under way, when the run stops. */
  #interrupt: (() => void) | undefined;
  /** An item the budget made wait, handed over first once there is room. */
  #waiting: WorkItem<P> | undefined;
  /** Which of `counts` that item went into: taken back when it is never sent. */
  #waitingKind: 'new' | 'changed' | 'retried' = 'new';
  #takenKind: 'new' | 'changed' | 'retried' = 'new';

  constructor(private readonly parts: FeedParts<P>) {
    this.#source = openSource(parts.source);
  }

  /** The input was read to its end: no line is left unread. */
  get exhausted(): boolean {
    return this.#ended || (this.parts.total !== undefined && this.#nonBlank >= this.parts.total);
  }

  stop(): void {
    this.#stopped = true;
    this.wake();
    this.#interrupt?.();
  }

  /** Something ended (an item, a write): there may be room again. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<WorkItem<P>> {
    return {
      next: async () => {
        const item = await this.#next();
        if (item === undefined) {
          this.#end();
          return { done: true, value: undefined };
        }
        this.#handed.add(item.seq);
        this.parts.tally.inFlight++;
        return { done: false, value: item };
      },
      return: async () => {
        this.stop();
        this.#end();
        return { done: true, value: undefined };
      },
    };
  }

  /** An item handed over has its outcome; false when it already had one (or was never handed over). */
  answered(seq: number): boolean {
    if (!this.#handed.delete(seq)) return false;
    this.parts.tally.inFlight--;
    // A slot the executor's capacity bounded is free: hand the next item over without waiting
    // for this one's journal append.
    if (this.parts.capacity) this.wake();
    return true;
  }

  /** Items handed over that never got an outcome (the executor ended without one). */
  unanswered(): number[] {
    const left = [...this.#handed];
    for (const seq of left) this.answered(seq);
    return left;
  }

  /** No more items: the one the budget held back was never sent. */
  #end(): void {
    if (this.#waiting) {
      this.parts.committer.abandon(this.#waiting.seq, false);
      this.counts[this.#waitingKind]--;
    }
    this.#waiting = undefined;
    this.#source.close();
  }

  async #next(): Promise<WorkItem<P> | undefined> {
    for (;;) {
      if (this.#stopped) return undefined;
      // An item already read goes first: it has its place in the output and counts in the window.
      if (this.#waiting) {
        const item = this.#waiting;
        const admission = this.parts.budget.admit(item.seq, item.size);
        if (admission === 'go') {
          this.#waiting = undefined;
          return item;
        }
        if (admission === 'stop') {
          this.parts.onStop('budget');
          return undefined;
        }
        await this.#idle();
        continue;
      }
      if (!this.#hasRoom()) {
        await this.#room();
        continue;
      }
      const next = this.#source.next();
      const entry = next instanceof Promise ? await this.#orStop(next) : next;
      if (this.#stopped) return undefined;
      if (entry === undefined) {
        this.#ended = true;
        return undefined;
      }
      const item = this.#take(entry.value, entry.line);
      if (item) {
        this.#waiting = item;
        this.#waitingKind = this.#takenKind;
      }
    }
  }

  /** Handles one entry; returns the item to send, if it is one. */
  #take(value: unknown, line: number): WorkItem<P> | undefined {
    const { reader, state, committer } = this.parts;
    const read: ReadEntry<P> | undefined =
      value instanceof BadEntry
        ? {
            problem: { line, customId: undefined, code: 'invalid_input', message: value.message },
            hash: contentHash(value.message),
          }
        : reader.read(value, line);
    if (read === undefined) return undefined;

    this.#nonBlank++;
    this.parts.tally.read++;
    if ('problem' in read) {
      if (read.problem.customId !== undefined) this.#claim(read.problem.customId);
      this.#settle(`@${line}`, read.hash, read.problem);
      return undefined;
    }
    const slot = state.slot(read.key);
    if (!this.#claim(read.key, slot)) {
      const problem: LineProblem = {
        line,
        customId: read.key,
        code: 'duplicate_custom_id',
        field: 'custom_id',
        message: `line ${line}, field custom_id: '${read.key}' was already used by an earlier line; this line was not sent.`,
      };
      this.#settle(`@${line}`, read.hash, problem);
      return undefined;
    }
    if (slot >= 0 && state.isLive(slot)) {
      if (state.sameHash(slot, read.hash)) {
        if (state.kind(slot) !== 'failed') {
          this.counts.unchanged++;
          committer.keep(committer.open(), slot, line);
          return undefined;
        }
        if (!this.parts.retryFailed) {
          this.counts.failedKept++;
          committer.keep(committer.open(), slot, line);
          return undefined;
        }
        this.counts.retried++;
        this.#takenKind = 'retried';
      } else {
        this.counts.changed++;
        this.#takenKind = 'changed';
      }
      this.parts.tally.forget(state.kind(slot));
      state.retire(slot);
    } else {
      this.counts.new++;
      this.#takenKind = 'new';
    }
    return {
      seq: committer.open(),
      line,
      key: read.key,
      hash: read.hash,
      payload: read.payload,
      size: read.size,
    };
  }

  /** A line that is not sent: its earlier record stands if it was the same line, else a new one. */
  #settle(key: string, hash: string, problem: LineProblem): void {
    const { state, committer, reader } = this.parts;
    const slot = state.slot(key);
    if (slot >= 0 && state.isLive(slot) && state.sameHash(slot, hash)) {
      state.see(slot);
      committer.keep(committer.open(), slot, problem.line);
      return;
    }
    if (slot >= 0) {
      state.see(slot);
      if (state.isLive(slot)) this.parts.tally.forget(state.kind(slot));
      state.retire(slot);
    }
    committer.commit({ seq: committer.open(), key, hash, size: undefined }, reader.reject(problem));
  }

  /** Claims a key for this invocation; false when an earlier line of the input has it. */
  #claim(key: string, slot = this.parts.state.slot(key)): boolean {
    return slot >= 0 ? this.parts.state.see(slot) : this.#seen.add(key);
  }

  #hasRoom(): boolean {
    const { committer, writer, inFlight, holdLimit, backlogLimit, capacity } = this.parts;
    if (capacity && this.#handed.size >= this.#ahead) {
      this.#ahead = readAhead(capacity(), inFlight);
      if (this.#handed.size >= this.#ahead) return false;
    }
    return committer.pending < inFlight && writer.held < holdLimit && writer.backlog < backlogLimit;
  }

  async #room(): Promise<void> {
    const { writer, backlogLimit } = this.parts;
    if (writer.backlog >= backlogLimit) {
      await writer.flush();
      return;
    }
    await this.#idle();
  }

  /**
   * `pending`, or undefined as soon as the run stops, whichever comes first: a quiet stdin must not
   * hold a stopped run open. Not `Promise.race` with one long-lived stop promise, which would keep
   * a reaction on it for every chunk read.
   */
  #orStop<T>(pending: Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.#interrupt = () => resolve(undefined);
      pending.then(resolve, reject);
    });
  }

  #idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }
}
