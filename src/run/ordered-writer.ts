/**
 * Puts finished records in output order. `input` order holds a record back only while an earlier
 * one is unfinished, and lets it go the moment the gap closes; `completion` order holds nothing.
 * Sequence numbers are dense (0, 1, 2, ...) over the records of this run; a number whose item
 * will never finish (cancelled, stopped) is `skip`ped so that it does not block the rest.
 */

export type OutputOrder = 'input' | 'completion';

const SKIPPED = Symbol('skipped');

export class OrderedWriter<T> {
  readonly #held = new Map<number, T | typeof SKIPPED>();
  #next = 0;
  #heldRecords = 0;

  constructor(
    readonly order: OutputOrder,
    private readonly emit: (entry: T) => void,
  ) {}

  /** Records waiting for an earlier one. */
  get held(): number {
    return this.#heldRecords;
  }

  put(seq: number, entry: T): void {
    if (this.order === 'completion') {
      this.emit(entry);
      return;
    }
    if (seq !== this.#next) {
      this.#held.set(seq, entry);
      this.#heldRecords++;
      return;
    }
    this.emit(entry);
    this.#next++;
    this.#release();
  }

  /** `seq` will never be put: stop waiting for it. */
  skip(seq: number): void {
    if (this.order === 'completion') return;
    if (seq !== this.#next) {
      this.#held.set(seq, SKIPPED);
      return;
    }
    this.#next++;
    this.#release();
  }

  /** Emits whatever is held, in order, past any gaps: for a run that stops with items unfinished. */
  flushAll(): void {
    const rest = [...this.#held.entries()].sort((a, b) => a[0] - b[0]);
    this.#held.clear();
    this.#heldRecords = 0;
    for (const [, entry] of rest) if (entry !== SKIPPED) this.emit(entry);
  }

  #release(): void {
    for (let entry = this.#held.get(this.#next); entry !== undefined; entry = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      this.#next++;
      if (entry !== SKIPPED) {
        this.#heldRecords--;
        this.emit(entry);
      }
    }
  }
}
