/**
 * A "per minute over the last minute" rate from one-second buckets, in constant memory. What it
 * counts is divided by the span plus the lane's one second of burst (`perMinute`), so it cannot
 * read above the limit the lanes kept to.
 */
import { perMinute, RATE_WINDOW_MS } from '../format/index.js';

const SECONDS = RATE_WINDOW_MS / 1000;

export class RateWindow {
  readonly #amounts = new Float64Array(SECONDS);
  /** Which second each bucket holds; -1 for none. */
  readonly #seconds = new Float64Array(SECONDS).fill(-1);
  /** Nothing before this time counts (the start of the invocation: its budget starts full). */
  #since = 0;

  /** Forgets everything: a new invocation starts from `since` (ms). */
  reset(since: number): void {
    this.#amounts.fill(0);
    this.#seconds.fill(-1);
    this.#since = since;
  }

  add(at: number, amount = 1): void {
    const second = Math.floor(at / 1000);
    const k = second % SECONDS;
    if (this.#seconds[k] !== second) {
      this.#seconds[k] = second;
      this.#amounts[k] = 0;
    }
    this.#amounts[k]! += amount;
  }

  /** Per minute over the minute up to `now` (ms), or since the start when that is nearer. */
  perMinute(now: number): number {
    const current = Math.floor(now / 1000);
    const first = current - SECONDS + 1;
    let sum = 0;
    for (let k = 0; k < SECONDS; k++) {
      const second = this.#seconds[k]!;
      if (second >= first && second <= current) sum += this.#amounts[k]!;
    }
    return perMinute(sum, Math.max(0, now - Math.max(this.#since, first * 1000)));
  }
}
