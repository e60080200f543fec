/**
 * What the `x-ratelimit-*` headers of one limit (requests or tokens) reveal about the server's
 * bucket: its per-minute limit and its burst, the milliseconds of refill it holds (a second for a
 * server that spreads the minute, the whole minute for one that does not).
 *
 * Every snapshot (remaining R, reset T, the time until the bucket is full again) of a continuously
 * refilled bucket lies on one line, T = B × (1 − R / L): full (R = L) resets at once, empty after
 * the whole burst B. So two snapshots give B when the limit L is stated, and, when it is not (as
 * Azure does), both B and L. Two are needed even when L is stated, to check that the reset really
 * means that: a server whose reset is the end of a fixed window, or a constant, would otherwise
 * make the lane believe in a burst it does not have. Until then the burst stays unknown and the
 * lane assumes its default.
 *
 * Without a stated limit, one snapshot still gives L for an assumed B: L = R / (1 − T / B). A lane
 * paced below the server's rate only ever sees the server's bucket full before each call, so every
 * answer reports the same R and T and a second point never comes: taking R alone as the limit kept
 * an Azure lane at half its rate for the whole run.
 */

/** A bucket never holds more than the minute its limit speaks of. */
const MAX_BURST_MS = 60_000;
/** A reset this short is mostly rounding: the snapshot says too little. */
const MIN_RESET_MS = 50;
/** Two snapshots agree on the burst when within this share of each other. */
const AGREE = 0.15;

interface Snapshot {
  readonly remaining: number;
  readonly resetMs: number;
}

export class ServerBucket {
  /** Per-minute limit: stated by the server, or inferred from its snapshots. */
  limit: number | undefined;
  /** Milliseconds of refill the server's bucket holds; undefined until two snapshots agree on it. */
  burstMs: number | undefined;
  #stated: number | undefined;
  /** The informative snapshots with the lowest and the highest remaining. */
  #low: Snapshot | undefined;
  #high: Snapshot | undefined;
  #mostRemaining = 0;
  /**
   * The longest reset seen, of any snapshot (a 429's "0 remaining" too): the burst is at least
   * that, since a bucket is full again after at most its whole burst.
   */
  #longestResetMs = 0;

  /** `assumedBurstMs`: the burst the lane assumes until the snapshots show the server's own. */
  constructor(private readonly assumedBurstMs: number) {}

  /** Takes in one answer's figures; returns true when `limit` or `burstMs` changed. */
  observe(stated: number | undefined, remaining: number | undefined, resetMs: number | undefined): boolean {
    const { limit, burstMs } = this;
    if (stated !== undefined && stated > 0) this.#stated = stated;
    if (remaining !== undefined) {
      this.#mostRemaining = Math.max(this.#mostRemaining, remaining);
      if (resetMs !== undefined) this.#longestResetMs = Math.max(this.#longestResetMs, resetMs);
      // "0 remaining" only says "less than one": not a point on the line.
      if (resetMs !== undefined && resetMs >= MIN_RESET_MS && remaining > 0) {
        if (!this.#low || remaining < this.#low.remaining) this.#low = { remaining, resetMs };
        if (!this.#high || remaining > this.#high.remaining) this.#high = { remaining, resetMs };
      }
    }
    if (this.#stated !== undefined) {
      this.limit = this.#stated;
      this.burstMs = this.#agreedBurst(this.#stated);
    } else if (remaining !== undefined) {
      this.#infer();
    }
    return !near(limit, this.limit, 0.005) || !near(burstMs, this.burstMs, 0.02);
  }

  /** The burst both kept snapshots give for the stated limit, if they agree. */
  #agreedBurst(limit: number): number | undefined {
    const low = this.#low;
    const high = this.#high;
    if (!low || !high || high.remaining === low.remaining || high.remaining >= limit) return undefined;
    const a = low.resetMs / (1 - low.remaining / limit);
    const b = high.resetMs / (1 - high.remaining / limit);
    return Math.abs(a - b) <= AGREE * Math.max(a, b) ? burst(Math.min(a, b)) : undefined;
  }

  /** No stated limit: the line through the two kept snapshots, or at least what once remained. */
  #infer(): void {
    const low = this.#low;
    const high = this.#high;
    if (low && high && high.remaining > low.remaining) {
      const slope = (low.resetMs - high.resetMs) / (high.remaining - low.remaining); // B / L
      const b = low.resetMs + slope * low.remaining;
      if (slope > 0 && b / slope >= this.#mostRemaining) {
        this.limit = Math.round(b / slope);
        this.burstMs = burst(b);
        return;
      }
    } else if (high) {
      // One point: the line through it for the assumed burst, or for the longest reset seen when
      // that is longer (a longer burst gives a lower limit). The burst itself stays unknown: a
      // reset that is the end of a window would otherwise pass for one.
      const assumed = burst(Math.max(this.assumedBurstMs, this.#longestResetMs));
      if (high.resetMs < assumed) {
        this.limit = Math.max(this.#mostRemaining, Math.round(high.remaining / (1 - high.resetMs / assumed)));
        return;
      }
    }
    // A cautious start that later snapshots correct.
    if (this.#mostRemaining > 0) this.limit = Math.max(this.limit ?? 0, this.#mostRemaining);
  }
}

function burst(ms: number): number {
  return Math.min(MAX_BURST_MS, Math.max(1, ms));
}

function near(a: number | undefined, b: number | undefined, share: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= share * Math.max(a, b);
}
