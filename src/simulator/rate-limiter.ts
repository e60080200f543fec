import { formatDuration } from './durations.js';
import type { ResetFormat } from './options.js';

/**
 * Server-side rate limits the way providers apply them: a bucket per limit, refilled continuously at
 * `limit / 60000` per millisecond, that holds a burst of `limit × burstWindowMs / 60000` (a second's
 * worth by default, so a minute's allowance cannot be spent in the first second; the whole minute
 * with `burstWindowMs: 60000`). A request costing more tokens than the bucket holds is refused for
 * good, never let into debt.
 */
export interface RateLimiterOptions {
  /** Requests per minute; `undefined` means unlimited. */
  readonly rpm: number | undefined;
  /** Tokens per minute; `undefined` means unlimited. */
  readonly tpm: number | undefined;
  /** Size of a burst, in milliseconds of refill. */
  readonly burstWindowMs: number;
  readonly clock: { now(): number };
  /** Sends `x-ratelimit-limit-*`; without them only remaining and reset go out, as Azure does. @default true */
  readonly limitHeaders?: boolean;
  /** How `x-ratelimit-reset-*` is written. @default 'duration' */
  readonly resetFormat?: ResetFormat;
  /** Sent as every reset instead of the time until the bucket is full (the end of a window, say). */
  readonly fixedResetMs?: number | undefined;
}

export type Admission =
  | { readonly admitted: true }
  /** `waitMs` is how long until this same request would be admitted; `limit` is the one that binds. */
  | { readonly admitted: false; readonly waitMs: number; readonly limit: 'requests' | 'tokens' }
  /** More tokens than the bucket can ever hold: no wait will let it through. */
  | { readonly admitted: false; readonly tooLarge: true; readonly capacity: number };

/** One limit as the headers report it: per minute, what is left, and ms until the bucket is full. */
export interface LimitState {
  readonly name: 'requests' | 'tokens';
  readonly limit: number;
  readonly remaining: number;
  readonly untilFullMs: number;
}

// Refill arithmetic is in floating point; a level this close to what is needed counts as enough, so
// a client that waits exactly `retry-after-ms` is admitted.
const EPSILON = 1e-6;

class Bucket {
  readonly capacity: number;
  readonly #perMs: number;
  #level: number;
  #at: number;

  constructor(
    readonly limit: number,
    burstWindowMs: number,
    now: number,
  ) {
    this.capacity = Math.max(1, (limit * burstWindowMs) / 60_000);
    this.#perMs = limit / 60_000;
    this.#level = this.capacity;
    this.#at = now;
  }

  refill(now: number): void {
    // A clock that steps backwards must not drain the bucket.
    if (now > this.#at) this.#level = Math.min(this.capacity, this.#level + (now - this.#at) * this.#perMs);
    this.#at = Math.max(this.#at, now);
  }

  /** Milliseconds until the level reaches `need` (0 when it already has). */
  waitFor(need: number): number {
    return this.#level >= need - EPSILON ? 0 : (need - this.#level) / this.#perMs;
  }

  take(amount: number): void {
    this.#level -= amount;
  }

  /**
   * The `x-ratelimit-remaining-*` figure. The header speaks per minute (next to `limit`), the bucket
   * holds a burst, so the level is scaled to the minute: a full bucket reports `limit`. Below one unit
   * (a request, a token) it reports 0, so `remaining == 0` means exactly "the next one would wait".
   */
  remaining(): number {
    if (this.#level < 1 - EPSILON) return 0;
    return Math.floor((Math.min(this.#level, this.capacity) / this.capacity) * this.limit + EPSILON);
  }

  /** The same bucket under a new limit, as when an account changes tier: its level carries over, up to the new capacity. */
  relimit(limit: number, burstWindowMs: number, now: number): Bucket {
    this.refill(now);
    const next = new Bucket(limit, burstWindowMs, now);
    next.#level = Math.min(this.#level, next.capacity);
    return next;
  }

  /** Milliseconds until the bucket is full again: the `x-ratelimit-reset-*` figure. */
  untilFull(): number {
    return Math.max(0, (this.capacity - this.#level) / this.#perMs);
  }
}

export class RateLimiter {
  #requests: Bucket | undefined;
  #tokens: Bucket | undefined;
  readonly #clock: { now(): number };
  readonly #options: RateLimiterOptions;

  constructor(options: RateLimiterOptions) {
    const now = options.clock.now();
    this.#clock = options.clock;
    this.#options = options;
    this.#requests =
      options.rpm === undefined ? undefined : new Bucket(options.rpm, options.burstWindowMs, now);
    this.#tokens =
      options.tpm === undefined ? undefined : new Bucket(options.tpm, options.burstWindowMs, now);
  }

  /**
   * Admits a request costing `tokens` (prompt + reserved completion) or says how long to wait, or
   * that it can never fit. A refusal takes nothing.
   */
  tryAdmit(tokens: number): Admission {
    const now = this.#clock.now();
    if (this.#tokens && tokens > this.#tokens.capacity + EPSILON)
      return { admitted: false, tooLarge: true, capacity: Math.floor(this.#tokens.capacity + EPSILON) };
    this.#requests?.refill(now);
    this.#tokens?.refill(now);
    const requestWait = this.#requests?.waitFor(1) ?? 0;
    const tokenWait = this.#tokens?.waitFor(tokens) ?? 0;
    if (requestWait > 0 || tokenWait > 0) {
      return requestWait >= tokenWait
        ? { admitted: false, waitMs: requestWait, limit: 'requests' }
        : { admitted: false, waitMs: tokenWait, limit: 'tokens' };
    }
    this.#requests?.take(1);
    this.#tokens?.take(tokens);
    return { admitted: true };
  }

  /** Changes the limits from now on (a limit halved mid-run); the headers state the new ones. */
  setLimits(limits: { readonly rpm?: number | undefined; readonly tpm?: number | undefined }): void {
    const now = this.#clock.now();
    const burst = this.#options.burstWindowMs;
    const next = (bucket: Bucket | undefined, limit: number) =>
      bucket ? bucket.relimit(limit, burst, now) : new Bucket(limit, burst, now);
    if (limits.rpm !== undefined) this.#requests = next(this.#requests, limits.rpm);
    if (limits.tpm !== undefined) this.#tokens = next(this.#tokens, limits.tpm);
  }

  /** The `x-ratelimit-*` headers as of now; a limit that is not configured gets none. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    const { limitHeaders = true, resetFormat = 'duration', fixedResetMs } = this.#options;
    const now = this.#clock.now();
    for (const { name, limit, remaining, untilFullMs } of this.limits()) {
      if (limitHeaders) headers[`x-ratelimit-limit-${name}`] = String(limit);
      headers[`x-ratelimit-remaining-${name}`] = String(remaining);
      headers[`x-ratelimit-reset-${name}`] = writeReset(fixedResetMs ?? untilFullMs, resetFormat, now);
    }
    return headers;
  }

  /** Each configured limit as of now, for the headers of either API (Anthropic writes its own). */
  limits(): LimitState[] {
    const now = this.#clock.now();
    const limits: LimitState[] = [];
    for (const [name, bucket] of [
      ['requests', this.#requests],
      ['tokens', this.#tokens],
    ] as const) {
      if (!bucket) continue;
      bucket.refill(now);
      limits.push({
        name,
        limit: bucket.limit,
        remaining: bucket.remaining(),
        untilFullMs: bucket.untilFull(),
      });
    }
    return limits;
  }
}

function writeReset(ms: number, format: ResetFormat, now: number): string {
  if (format === 'duration') return formatDuration(ms);
  if (format === 'seconds') return String(Math.ceil(ms - 1e-9) / 1000);
  // An instant: the clock's own when it counts from the epoch (a system or test clock set so),
  // else the clock's origin placed at the process start.
  const epochNow = now > 1e12 ? now : performance.timeOrigin + now;
  return new Date(Math.ceil(epochNow + ms - 1e-9)).toISOString();
}
