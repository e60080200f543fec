/** Events per minute over a sliding window of one-second buckets: the "now" rate, not the average. */
export class RateMeter {
  readonly #buckets: Float64Array;
  #second = -1;

  constructor(readonly windowSeconds = 10) {
    this.#buckets = new Float64Array(windowSeconds);
  }

  add(amount: number, nowMs: number): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % this.windowSeconds]! += amount;
  }

  /**
   * The rate over the window's full seconds, scaled to a minute; the current partial second is
   * left out so the figure does not sag between ticks. Over a shorter span while the run is young.
   */
  perMinute(nowMs: number, startedMs: number): number {
    this.#advance(nowMs);
    const current = this.#second;
    const full = Math.min(this.windowSeconds - 1, Math.floor((nowMs - startedMs) / 1000));
    if (full <= 0) return 0;
    let sum = 0;
    for (let s = current - full; s < current; s++) sum += this.#buckets[s % this.windowSeconds]!;
    return (sum / full) * 60;
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.#second < 0) this.#second = second;
    // Clear the buckets of the seconds that passed without events.
    for (let s = this.#second + 1; s <= second && s <= this.#second + this.windowSeconds; s++) {
      this.#buckets[s % this.windowSeconds] = 0;
    }
    if (second > this.#second) this.#second = second;
  }
}
