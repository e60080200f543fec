/**
 * The one way a record becomes done: appended durably to the journal, then counted, then handed
 * to the output in order. Also counts the items between being read and being done, which is what
 * the read-ahead window bounds.
 */
import type { Clock } from '../clock.js';
import type { AppendLog } from '../journal/append-log.js';
import type { RecordTally } from '../records/tally.js';
import type { OutputRecord, SerializedRecord } from '../records/types.js';
import type { OrderedWriter } from './ordered-writer.js';

export interface CommitterParts {
  readonly journal: AppendLog | undefined;
  readonly writer: OrderedWriter<SerializedRecord>;
  readonly stats: RecordTally;
  readonly clock: Clock;
  /** After every item that ends, done or abandoned. */
  readonly onSettled: () => void;
  readonly onJournalError: (error: Error) => void;
}

export class Committer {
  #seq = 0;
  #pending = 0;

  constructor(private readonly parts: CommitterParts) {}

  /** Items read and not yet done or abandoned. */
  get pending(): number {
    return this.#pending;
  }

  /** A place in the output for an item that will end in `commit` or `abandon`. */
  open(): number {
    this.#pending++;
    return this.#seq++;
  }

  commit(seq: number, record: OutputRecord): void {
    const { journal, stats, writer, clock } = this.parts;
    const text = JSON.stringify(record);
    const done = () => {
      stats.record(record, clock.now());
      writer.put(seq, { record, text });
      this.#settle();
    };
    if (!journal) {
      done();
      return;
    }
    journal.appendJSON(text).then(done, (error: unknown) => {
      this.parts.onJournalError(new Error(`Writing the journal failed: ${(error as Error).message}`));
      this.abandon(seq);
    });
  }

  /** The item will not be done in this run (cancelled, stopped): its place is given up. */
  abandon(seq: number): void {
    this.parts.writer.skip(seq);
    this.#settle();
  }

  #settle(): void {
    this.#pending--;
    this.parts.onSettled();
  }
}
