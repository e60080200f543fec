/**
 * The manual clock, for code that waits on Redis between its timers. `ManualClock.advance` fires
 * timers and flushes microtasks, but a Redis reply is real I/O that arrives later; this clock lets
 * every reply in flight land (`settle`) before each timer fires, so time still moves only when the
 * test says and every timestamp is exact.
 */
import { flushMicrotasks, ManualClock } from '../../test-support/manual-clock.js';

export class IOClock extends ManualClock {
  readonly #due = new Set<{ at: number }>();

  /** `settle` resolves once every reply asked for so far has been handled (e.g. a `PING` after them). */
  constructor(private readonly settle: () => Promise<unknown>) {
    super();
  }

  override setTimer(fn: () => void, ms: number): () => void {
    const entry = { at: this.now() + Math.max(0, ms) };
    this.#due.add(entry);
    const cancel = super.setTimer(() => {
      this.#due.delete(entry);
      fn();
    }, ms);
    return () => {
      this.#due.delete(entry);
      cancel();
    };
  }

  /** Moves time forward by `ms`, timer by timer, letting Redis answer before each one fires. */
  override async advance(ms: number): Promise<void> {
    const end = this.now() + ms;
    for (;;) {
      await this.idle();
      let next = Number.POSITIVE_INFINITY;
      for (const entry of this.#due) next = Math.min(next, entry.at);
      if (next > end) break;
      await super.advance(next - this.now());
    }
    await super.advance(end - this.now());
    await this.idle();
  }

  /** Lets replies in flight, and the calls they lead to, land (three rounds are plenty here). */
  async idle(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      await this.settle();
      await flushMicrotasks();
    }
  }
}
