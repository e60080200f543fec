/**
 * The one way a record becomes done, for every executor: appended durably to the journal, then
 * counted (the tally, the run's state, the budget), then handed to the output in order. An item
 * that ends twice (a redelivered queue job) is dropped here, the second time. Also counts the
 * items between being read and being done, which is what the window of items in flight bounds.
 */
import type { Clock } from '../clock.js';
import type { RecordTally } from '../records/tally.js';
import type { RunRecord } from '../records/types.js';
import type { RunBudget } from './budget.js';
import { recordMeta } from './journal/entries.js';
import type { RunJournal } from './journal/run-journal.js';
import type { RunState } from './journal/state.js';
import { BitSet } from './keys.js';
import type { OutputWriter } from './output.js';
import type { WorkItem } from './types.js';

export interface CommitParts {
  readonly journal: RunJournal | undefined;
  readonly state: RunState;
  readonly tally: RecordTally;
  readonly writer: OutputWriter;
  readonly budget: RunBudget;
  readonly clock: Clock;
  /** After every item that ends, done or abandoned. */
  readonly onSettled: () => void;
  /** The journal could not be written: the run stops. */
  readonly onJournalError: (error: Error) => void;
}

type Committable = Pick<WorkItem, 'seq' | 'key' | 'hash' | 'size'>;

export class Committer {
  #seq = 0;
  #pending = 0;
  readonly #ended = new BitSet();
  readonly #idle: Array<() => void> = [];

  constructor(private readonly parts: CommitParts) {}

  /** Items read and not yet done or abandoned. */
  get pending(): number {
    return this.#pending;
  }

  /** A place in the output for an item that will end in `commit`, `keep` or `abandon`. */
  open(): number {
    this.#pending++;
    return this.#seq++;
  }

  commit(item: Committable, record: RunRecord, detail?: unknown): void {
    if (!this.#ended.add(item.seq)) return;
    const { journal, tally, state, writer, budget, clock } = this.parts;
    const text = JSON.stringify(record);
    const meta = recordMeta(item.key, item.hash, record);
    // While the journal's group is synced (a record waits milliseconds, a thousand of them at
    // once), only what is still to be done is held: not the request (its prompt) nor the answer's
    // body, which are in `text` now. What outlives a garbage collection ends up in the old
    // generation, which V8 then lets grow to a few times what is live.
    const { seq } = item;
    const promptChars = item.size?.promptChars;
    const counted = tallied(record);
    const done = () => {
      state.commit(meta);
      budget.settle(seq, promptChars, counted.usage?.prompt_tokens);
      tally.record(counted, clock.now());
      try {
        writer.put(seq, { meta, text, detail });
      } catch (error) {
        // The output could not be written (a full disk): the record is safe in the journal.
        this.parts.onJournalError(error instanceof Error ? error : new Error(String(error)));
      }
      this.#settle();
    };
    if (!journal) {
      done();
      return;
    }
    journal.appendRecord(meta, text).then(done, (error: unknown) => {
      this.parts.budget.settle(seq);
      this.parts.writer.skip(seq);
      this.#settle();
      this.parts.onJournalError(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** An earlier run's record stands for this line: it is copied into the output in its place. */
  keep(seq: number, slot: number, line: number): void {
    this.#ended.add(seq);
    this.parts.writer.put(seq, { slot, line });
    this.#settle();
  }

  /**
   * The item will not be done in this invocation (dropped, cancelled): its place is given up.
   * `handed`: it had reached the executor, so it counts as unfinished.
   */
  abandon(seq: number, handed = true): void {
    if (!this.#ended.add(seq)) return;
    this.parts.budget.settle(seq);
    if (handed) this.parts.tally.unfinished++;
    this.parts.writer.skip(seq);
    this.#settle();
  }

  /** Resolves once every item read has ended (records whose journal append is under way included). */
  async drained(): Promise<void> {
    while (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #settle(): void {
    this.#pending--;
    this.parts.onSettled();
    if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/** The fields of a record that the tally reads (`RunRecord`'s), without the answer's body or a flow's input and output. */
function tallied(record: RunRecord): RunRecord {
  const { custom_id, line, error, model, attempts, latency_ms, queued_ms, usage, cost_usd, cached } = record;
  const base = { custom_id, line, error, model, attempts, latency_ms, queued_ms, usage, cost_usd };
  return cached === undefined ? base : { ...base, cached };
}
