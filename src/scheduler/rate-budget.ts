/**
 * A lane's requests- and tokens-per-minute budgets: configured by the user, or learned from the
 * `x-ratelimit-*` headers and kept in step with what the server reports as remaining.
 */
import { readRateLimitHeaders } from './rate-headers.js';
import { TokenBucket } from './token-bucket.js';

export interface RateBudgetOptions {
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Fraction of a learned limit we aim for, leaving slack for clock skew and network jitter. */
  readonly headroom: number;
  /** Burst a learned limit is assumed to allow (ms of refill); halved on each 429 that proves it too large. */
  readonly burstMs: number;
}

export class RateBudget {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;

  constructor(
    private readonly options: RateBudgetOptions,
    now: number,
  ) {
    // A configured limit applies from the first call; the server's headers may only lower it.
    if (options.rpm !== undefined) this.requests = bucket(options.rpm, options.burstMs, now);
    if (options.tpm !== undefined) this.tokens = bucket(options.tpm, options.burstMs, now);
  }

  /** Milliseconds until a call costing `tokens` fits both budgets, and which one holds it back. */
  waitFor(tokens: number, now: number): { wait: number; reason: 'requests' | 'tokens' } | undefined {
    const requestWait = this.requests?.waitFor(1, now) ?? 0;
    if (requestWait > 0) return { wait: requestWait, reason: 'requests' };
    const tokenWait = this.tokens?.waitFor(tokens, now) ?? 0;
    if (tokenWait > 0) return { wait: tokenWait, reason: 'tokens' };
    return undefined;
  }

  take(tokens: number, now: number): void {
    this.requests?.take(1, now);
    this.tokens?.take(tokens, now);
  }

  /** Learns the server's limits, and lowers our levels to what the server reports as remaining. */
  observe(headers: Headers, now: number): void {
    const seen = readRateLimitHeaders(headers);
    const { headroom, burstMs } = this.options;
    this.requests = learn(this.requests, this.options.rpm, seen.limitRequests, headroom, burstMs, now);
    this.tokens = learn(this.tokens, this.options.tpm, seen.limitTokens, headroom, burstMs, now);
    follow(this.requests, seen.remainingRequests, seen.limitRequests, now);
    follow(this.tokens, seen.remainingTokens, seen.limitTokens, now);
  }

  /**
   * A 429 says our picture was too rosy: empty the budget the server says is exhausted (both when
   * it does not say) and assume a smaller burst from now on. Returns false when we have no budget
   * to blame, so the caller can cut concurrency instead.
   */
  onRateLimited(headers: Headers | undefined, now: number): boolean {
    const seen = headers ? readRateLimitHeaders(headers) : {};
    const blameRequests = seen.remainingRequests === 0 || seen.remainingTokens !== 0;
    const blameTokens = seen.remainingTokens === 0 || seen.remainingRequests !== 0;
    let blamed = false;
    for (const [budget, blame] of [
      [this.requests, blameRequests],
      [this.tokens, blameTokens],
    ] as const) {
      if (!budget || !blame) continue;
      budget.capacity = Math.max(1, budget.capacity / 2);
      budget.lowerTo(0, now);
      blamed = true;
    }
    return blamed;
  }
}

/**
 * The budget in force once the server has stated `limit`: a configured limit is an upper bound the
 * server can only lower (a tier set too high would otherwise meet a 429 on every other call).
 */
function learn(
  current: TokenBucket | undefined,
  configured: number | undefined,
  limit: number | undefined,
  headroom: number,
  burstMs: number,
  now: number,
): TokenBucket | undefined {
  if (!limit) return current;
  const perMinute = Math.min(configured ?? Number.POSITIVE_INFINITY, limit * headroom);
  return current?.perMinute === perMinute ? current : bucket(perMinute, burstMs, now, current);
}

function bucket(perMinute: number, burstMs: number, now: number, previous?: TokenBucket): TokenBucket {
  const capacity = Math.max(1, (perMinute * burstMs) / 60_000);
  const next = new TokenBucket(perMinute, previous ? Math.min(previous.capacity, capacity) : capacity, now);
  if (previous) next.lowerTo(previous.level(now), now);
  return next;
}

/** The server's remaining count, scaled from its per-minute figure to our burst-sized bucket. */
function follow(
  budget: TokenBucket | undefined,
  remaining: number | undefined,
  limit: number | undefined,
  now: number,
) {
  if (!budget || remaining === undefined || !limit) return;
  budget.lowerTo((remaining / limit) * budget.capacity, now);
}
