/**
 * A lane's requests- and tokens-per-minute budgets: configured by the user, or learned from the
 * `x-ratelimit-*` headers and kept in step with what the server reports as remaining.
 */
import { readRateLimitHeaders } from '../wire/index.js';
import { TokenBucket } from './token-bucket.js';

export interface RateBudgetOptions {
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Burst a learned limit is assumed to allow (ms of refill); halved on each 429 that proves it too large. */
  readonly burstMs: number;
}

/**
 * Our levels right after a call took its share, what the server's `remaining` is compared with,
 * and the corrections made until then (so that one shortfall is not taken off once per answer).
 */
export interface SentLevels {
  readonly requests: number | undefined;
  readonly tokens: number | undefined;
  readonly corrected: { readonly requests: number; readonly tokens: number };
  /** The buckets these levels belong to: a level of a replaced bucket says nothing of the new one. */
  readonly buckets: { readonly requests: TokenBucket | undefined; readonly tokens: TokenBucket | undefined };
}

type Kind = 'requests' | 'tokens';

/** Lowest share of a learned limit we fall back to after 429s the budget did not predict. */
const MIN_HEADROOM = 0.9;

export class RateBudget {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;
  /**
   * Share of a learned limit we aim for. It starts at the whole limit; each 429 our budget did not
   * predict (network jitter lined our calls up against the server's refill) takes 2% off, at most
   * once a second.
   */
  #headroom = 1;
  #lastHeadroomCut = Number.NEGATIVE_INFINITY;
  #limits: { requests?: number; tokens?: number } = {};
  /** Total taken off each budget to follow the server, ever: see `SentLevels`. */
  #corrected = { requests: 0, tokens: 0 };

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

  take(tokens: number, now: number): SentLevels {
    this.requests?.take(1, now);
    this.tokens?.take(tokens, now);
    return {
      requests: this.requests?.level(now),
      tokens: this.tokens?.level(now),
      corrected: { ...this.#corrected },
      buckets: { requests: this.requests, tokens: this.tokens },
    };
  }

  /**
   * Learns the server's limits, and follows what it reports as remaining. The report describes
   * the server's bucket when it admitted the call, so it is compared with our level when we sent
   * it (`sent`): only a shortfall then is taken off now, which keeps what both sides refilled since.
   */
  observe(headers: Headers, now: number, sent: SentLevels | undefined): void {
    const seen = readRateLimitHeaders(headers);
    if (seen.limitRequests) this.#limits.requests = seen.limitRequests;
    if (seen.limitTokens) this.#limits.tokens = seen.limitTokens;
    const requests = this.#learn(this.requests, this.options.rpm, seen.limitRequests, now);
    const tokens = this.#learn(this.tokens, this.options.tpm, seen.limitTokens, now);
    const freshRequests = requests !== this.requests;
    const freshTokens = tokens !== this.tokens;
    this.requests = requests;
    this.tokens = tokens;
    this.#follow('requests', freshRequests, seen.remainingRequests, seen.limitRequests, sent, now);
    this.#follow('tokens', freshTokens, seen.remainingTokens, seen.limitTokens, sent, now);
  }

  /**
   * Moves our level towards the server's `remaining`, scaled from its per-minute figure to our
   * burst-sized bucket. A bucket just learned has no level of its own yet and takes the server's;
   * otherwise only the shortfall against our level when the call was sent, less what was taken
   * off since, is taken off now.
   */
  #follow(
    kind: Kind,
    fresh: boolean,
    remaining: number | undefined,
    limit: number | undefined,
    sent: SentLevels | undefined,
    now: number,
  ): void {
    const budget = this[kind];
    if (!budget || remaining === undefined || !limit) return;
    const server = (remaining / limit) * budget.capacity;
    const sentLevel = sent?.[kind];
    if (fresh) {
      this.#lower(kind, budget.level(now) - server, now);
      return;
    }
    if (sent === undefined || sentLevel === undefined || sent.buckets[kind] !== budget) return;
    this.#lower(kind, sentLevel - (this.#corrected[kind] - sent.corrected[kind]) - server, now);
  }

  #lower(kind: Kind, amount: number, now: number): void {
    if (!(amount > 0)) return;
    this[kind]?.adjust(-amount, now);
    this.#corrected[kind] += amount;
  }

  /**
   * A 429 says our picture was too rosy: empty the budget the server says is exhausted (both when
   * it does not say). When the call was sent under that very budget, the budget mispredicted: assume
   * a smaller burst and aim a little lower from now on. A call sent before the limit was known
   * (probing an unknown server) proves nothing about the budget. Returns false when there is no
   * budget to blame, so the caller can cut concurrency instead.
   */
  onRateLimited(headers: Headers | undefined, now: number, sent: SentLevels | undefined): boolean {
    const seen = headers ? readRateLimitHeaders(headers) : {};
    const blameRequests = seen.remainingRequests === 0 || seen.remainingTokens !== 0;
    const blameTokens = seen.remainingTokens === 0 || seen.remainingRequests !== 0;
    let blamed = false;
    let mispredicted = false;
    for (const [kind, blame] of [
      ['requests', blameRequests],
      ['tokens', blameTokens],
    ] as const) {
      const budget = this[kind];
      if (!budget || !blame) continue;
      blamed = true;
      this.#lower(kind, budget.level(now), now);
      if (sent?.buckets[kind] !== budget) continue;
      budget.capacity = Math.max(1, budget.capacity / 2);
      mispredicted = true;
    }
    if (mispredicted && now - this.#lastHeadroomCut >= 1000 && this.#headroom > MIN_HEADROOM) {
      this.#lastHeadroomCut = now;
      this.#headroom = Math.max(MIN_HEADROOM, this.#headroom - 0.02);
      this.requests = this.#learn(this.requests, this.options.rpm, this.#limits.requests, now);
      this.tokens = this.#learn(this.tokens, this.options.tpm, this.#limits.tokens, now);
    }
    return blamed;
  }

  /**
   * The budget in force once the server has stated `limit`: a configured limit is an upper bound
   * the server can only lower (a tier set too high would otherwise meet a 429 on every other call).
   */
  #learn(
    current: TokenBucket | undefined,
    configured: number | undefined,
    limit: number | undefined,
    now: number,
  ) {
    if (!limit) return current;
    const perMinute = Math.min(configured ?? Number.POSITIVE_INFINITY, limit * this.#headroom);
    return current?.perMinute === perMinute ? current : bucket(perMinute, this.options.burstMs, now, current);
  }
}

function bucket(perMinute: number, burstMs: number, now: number, previous?: TokenBucket): TokenBucket {
  const capacity = Math.max(1, (perMinute * burstMs) / 60_000);
  const next = new TokenBucket(perMinute, previous ? Math.min(previous.capacity, capacity) : capacity, now);
  if (previous) next.lowerTo(previous.level(now), now);
  return next;
}
