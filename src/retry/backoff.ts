/**
 * Exponential backoff with full jitter as an immutable value: `next()` returns the backoff for the
 * following attempt, and `delay(random)` draws a wait uniformly from [0, base), where the base doubles
 * each attempt up to `maxDelay`. Full jitter spreads retries of a burst of failures across the whole
 * window instead of letting them hit the server again at the same instant.
 */
export interface BackoffOptions {
  /** Base delay before the first retry (ms). @default 500 */
  readonly initialDelay: number;
  /** Cap on the base delay (ms). @default 60_000 */
  readonly maxDelay: number;
  /** Growth of the base delay per attempt. @default 2 */
  readonly multiplier: number;
}

export const defaultBackoff: BackoffOptions = { initialDelay: 500, maxDelay: 60_000, multiplier: 2 };

export class ExponentialBackoff {
  constructor(
    readonly options: BackoffOptions = defaultBackoff,
    /** Retries already made; 0 before the first retry. */
    readonly retries = 0,
  ) {}

  /** The upper bound of the jittered delay at this step (ms). */
  get ceiling(): number {
    const { initialDelay, maxDelay, multiplier } = this.options;
    return Math.min(maxDelay, initialDelay * multiplier ** this.retries);
  }

  /** A wait drawn with full jitter; `random` returns a number in [0, 1). */
  delay(random: () => number = Math.random): number {
    return Math.floor(random() * this.ceiling);
  }

  next(): ExponentialBackoff {
    return new ExponentialBackoff(this.options, this.retries + 1);
  }
}
