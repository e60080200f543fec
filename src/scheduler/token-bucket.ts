/**
 * A budget refilled continuously (not per window) at `perMinute / 60_000` per millisecond, up to
 * `capacity`. A request costing more than the capacity may go once the bucket is full, leaving it in
 * debt, so that one large prompt is slowed rather than refused forever.
 */
export class TokenBucket {
  #level: number;
  #updatedAt: number;

  constructor(
    /** Refill rate, per minute. */
    readonly perMinute: number,
    /** Most that can be spent at once. */
    public capacity: number,
    now: number,
  ) {
    this.#level = capacity;
    this.#updatedAt = now;
  }

  level(now: number): number {
    if (now > this.#updatedAt) {
      this.#level = Math.min(
        this.capacity,
        this.#level + ((now - this.#updatedAt) * this.perMinute) / 60_000,
      );
      this.#updatedAt = now;
    }
    return this.#level;
  }

  /** Milliseconds until `cost` may be taken (0 when it may be taken now). */
  waitFor(cost: number, now: number): number {
    const needed = Math.min(cost, this.capacity) - this.level(now);
    return needed <= 0 ? 0 : Math.ceil((needed * 60_000) / this.perMinute);
  }

  take(cost: number, now: number): void {
    this.#level = this.level(now) - cost;
  }

  /** Gives back (or, negative, charges) the difference between an estimate and the real cost. */
  adjust(delta: number, now: number): void {
    this.#level = Math.min(this.capacity, this.level(now) + delta);
  }

  /** Lowers the level to at most `level`: the server knows better when it reports less than we think. */
  lowerTo(level: number, now: number): void {
    this.#level = Math.min(this.level(now), level);
  }
}
