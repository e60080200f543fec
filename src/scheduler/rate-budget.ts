/**
 * A lane's requests- and tokens-per-minute budgets: configured by the user, or learned from the
 * `x-ratelimit-*` headers (what `server-bucket.ts` infers of the server's buckets), and kept in step
 * with what the server reports as remaining.
 */
import { readRateLimitHeaders } from '../wire/index.js';
import { ServerBucket } from './server-bucket.js';
import { TokenBucket } from './token-bucket.js';

export interface RateBudgetOptions {
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Burst assumed until the server's headers show its own (ms of refill). */
  readonly burstMs: number;
}

/**
 * Our levels right after a call took its share, what the server's `remaining` is compared with,
 * the corrections made until then (so that one shortfall is not taken off once per answer), and
 * the buckets these levels belong to (a level of a replaced bucket says nothing of the new one).
 * A call sent before a budget was known has no level of it: its answer is placed by when it was
 * sent and what was sent after it.
 */
export interface SentLevels {
  readonly at: number;
  /** Tokens this call took: what a refusal gives back to the count of what the server admitted. */
  readonly cost: number;
  readonly requests: number | undefined;
  readonly tokens: number | undefined;
  readonly correctedRequests: number;
  readonly correctedTokens: number;
  /** Everything taken until then, this call included: what was sent after it is the difference. */
  readonly takenRequests: number;
  readonly takenTokens: number;
  /** Everything the server refused until then (429s): it did not count those. */
  readonly refusedRequests: number;
  readonly refusedTokens: number;
  readonly requestBucket: TokenBucket | undefined;
  readonly tokenBucket: TokenBucket | undefined;
}

type Kind = 'requests' | 'tokens';
/** What `#rebuild` did: made the first bucket, replaced one, or nothing. */
type Rebuilt = 'new' | 'replaced' | false;

/** Lowest share of a learned limit we fall back to after 429s the budget did not predict. */
const MIN_HEADROOM = 0.9;
/**
 * A 429 whose wait (`retry-after-ms`) refills less than this share of the burst came of our timing
 * against the server's refill, not of a burst smaller than assumed.
 */
const JITTER_SHARE = 0.1;
/**
 * The server reporting this share of the bucket more than we thought we had means we were wrong
 * (a call that went into debt, a burst larger than assumed), not jitter: we take the server's word.
 */
const RAISE_SHARE = 0.25;

export class RateBudget {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;
  readonly #server: { readonly requests: ServerBucket; readonly tokens: ServerBucket };
  /** Burst at most, after 429s showed the one assumed or inferred too large (ms). */
  readonly #burstCap = { requests: Number.POSITIVE_INFINITY, tokens: Number.POSITIVE_INFINITY };
  /**
   * Tokens the burst holds at least, however often it is halved: the largest call refused for now.
   * A server whose burst could never hold a call refuses it as too large instead.
   */
  #burstFloor = 0;
  /**
   * Share of a learned limit we aim for. It starts at the whole limit; each 429 our budget did not
   * predict (network jitter lined our calls up against the server's refill) takes 2% off, at most
   * once a second.
   */
  #headroom = 1;
  #lastHeadroomCut = Number.NEGATIVE_INFINITY;
  /** Total taken off (or, negative, given back) to follow the server, ever: see `SentLevels`. */
  readonly #corrected = { requests: 0, tokens: 0 };
  readonly #taken = { requests: 0, tokens: 0 };
  readonly #refused = { requests: 0, tokens: 0 };
  /** A headers object already read and found to carry no rate-limit figures (a shared empty one). */
  #bare: Headers | undefined;
  /**
   * Log of the typical tokens a call takes, averaged over the calls sent: a geometric mean, so that
   * one call of 15,000 tokens among calls of 80 does not make the typical call look large.
   */
  #logCost: number | undefined;

  constructor(
    private readonly options: RateBudgetOptions,
    now: number,
  ) {
    this.#server = { requests: new ServerBucket(options.burstMs), tokens: new ServerBucket(options.burstMs) };
    // A configured limit applies from the first call; the server's headers may only lower it.
    this.#rebuild('requests', now);
    this.#rebuild('tokens', now);
  }

  /** True once either budget is known: a call then takes its share and is followed up. */
  get known(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /**
   * The most one call may ever cost in tokens: the per-minute limit, configured or stated by the
   * server, whichever is lower. A call above it can never be sent, however long it waits.
   */
  get tokenLimit(): number | undefined {
    const stated = this.#server.tokens.limit;
    const configured = this.options.tpm;
    if (stated === undefined) return configured;
    return configured === undefined ? stated : Math.min(stated, configured);
  }

  take(tokens: number, now: number): SentLevels | undefined {
    const { requests, tokens: bucket } = this;
    // A server seen answering without rate-limit figures is taken to have none: nothing to follow up.
    if (requests === undefined && bucket === undefined && this.#bare !== undefined) return undefined;
    requests?.take(1, now);
    bucket?.take(tokens, now);
    if (bucket && tokens > 0) {
      const log = Math.log(tokens);
      this.#logCost = this.#logCost === undefined ? log : this.#logCost * 0.9 + log * 0.1;
    }
    this.#taken.requests++;
    this.#taken.tokens += tokens;
    return {
      at: now,
      cost: tokens,
      refusedRequests: this.#refused.requests,
      refusedTokens: this.#refused.tokens,
      requests: requests?.level(now),
      tokens: bucket?.level(now),
      correctedRequests: this.#corrected.requests,
      correctedTokens: this.#corrected.tokens,
      takenRequests: this.#taken.requests,
      takenTokens: this.#taken.tokens,
      requestBucket: requests,
      tokenBucket: bucket,
    };
  }

  /**
   * The pace the budgets allow in calls: per millisecond, and at once (the burst), the tighter of
   * the requests budget and the tokens budget over the typical call. Zeros while neither is known
   * (the tokens budget is not known in calls until one has been sent).
   */
  callPace(): { readonly perMs: number; readonly burst: number } {
    let perMs = Number.POSITIVE_INFINITY;
    let burst = Number.POSITIVE_INFINITY;
    if (this.requests) {
      perMs = this.requests.perMinute / 60_000;
      burst = this.requests.capacity;
    }
    if (this.tokens && this.#logCost !== undefined) {
      const cost = Math.exp(this.#logCost);
      perMs = Math.min(perMs, this.tokens.perMinute / 60_000 / cost);
      burst = Math.min(burst, Math.ceil(this.tokens.capacity / cost)); // a call more is harmless: the budget paces
    }
    return perMs === Number.POSITIVE_INFINITY ? { perMs: 0, burst: 0 } : { perMs, burst };
  }

  /**
   * Replaces a call's estimate with what the server counted (`charged`, from its usage). Kept as a
   * correction, like following the server's figures: the figure read next, and those of the calls
   * sent after it, already show the count, and the estimate's surplus would otherwise be given back
   * twice. A call sent under another bucket says nothing about this one.
   */
  charged(sent: SentLevels | undefined, estimate: number, charged: number, now: number): void {
    if (sent?.tokenBucket === this.tokens) this.#lower('tokens', charged - estimate, now);
  }

  /**
   * Gives back what a call took that the server did not count (it refused the call unread). A
   * correction too: the server's figures for calls sent after it never counted it either.
   */
  giveBack(sent: SentLevels | undefined, tokens: number, now: number): void {
    this.#refuse(sent);
    if (sent?.requestBucket === this.requests) this.#lower('requests', -1, now);
    if (sent?.tokenBucket === this.tokens) this.#lower('tokens', -tokens, now);
  }

  #refuse(sent: SentLevels | undefined): void {
    if (!sent) return;
    this.#refused.requests++;
    this.#refused.tokens += sent.cost;
  }

  /**
   * Learns the server's limits and bursts, and follows what it reports as remaining. The report
   * describes the server's bucket when it admitted the call, so it is compared with our level when
   * we sent it (`sent`): only the difference then is applied now, which keeps what both sides
   * refilled since.
   */
  observe(headers: Headers, now: number, sent: SentLevels | undefined, epochNow = Date.now()): void {
    if (headers === this.#bare) return;
    const seen = readRateLimitHeaders(headers, epochNow);
    if (
      seen.remainingRequests === undefined &&
      seen.remainingTokens === undefined &&
      seen.limitRequests === undefined &&
      seen.limitTokens === undefined
    ) {
      this.#bare = headers;
      return;
    }
    const freshRequests = this.#learn(
      'requests',
      seen.limitRequests,
      seen.remainingRequests,
      seen.resetRequestsMs,
      now,
    );
    const freshTokens = this.#learn(
      'tokens',
      seen.limitTokens,
      seen.remainingTokens,
      seen.resetTokensMs,
      now,
    );
    this.#follow('requests', freshRequests, seen.remainingRequests, sent, now);
    this.#follow('tokens', freshTokens, seen.remainingTokens, sent, now);
  }

  /**
   * A 429 says our picture was too rosy: empty the budget the server says is exhausted (both when
   * it does not say). When the call was sent under that very budget, the budget mispredicted: aim a
   * little lower from now on, and, unless the server's wait shows it was only just short, assume a
   * burst half the size. A
   * call sent before the limit was known (probing an unknown server) proves nothing about the
   * budget. When the server said how long to wait (`advisedMs`, its `retry-after-ms`), the emptied
   * budget has room for the call again then, not one whole refill later: against a bucket that
   * refills 10 calls a second, 45 ms after its 429 instead of 100. Returns false when there is no
   * budget to blame, so the caller can cut concurrency.
   */
  onRateLimited(
    headers: Headers | undefined,
    now: number,
    sent: SentLevels | undefined,
    advisedMs?: number,
    epochNow = Date.now(),
  ): boolean {
    this.#refuse(sent);
    const seen = headers ? readRateLimitHeaders(headers, epochNow) : {};
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
      this.#lower(kind, Math.max(0, budget.level(now)), now);
      if ((kind === 'requests' ? sent?.requestBucket : sent?.tokenBucket) !== budget) continue;
      mispredicted = true;
      if (kind === 'tokens') this.#burstFloor = Math.max(this.#burstFloor, sent?.cost ?? 0);
      // A wait the server puts at a sliver of the burst is our timing against its refill, not a
      // burst smaller than assumed: the headroom below is for that. In the tokens-bound bench the
      // first 429 was 2 ms short and halved a burst of 4,000; a prompt larger than the bucket goes
      // when the bucket is full, whatever the server has, so each halving brought the next 429,
      // and the burst was down to 1 token after 14 of them.
      const shortBy =
        advisedMs === undefined ? Number.POSITIVE_INFINITY : (advisedMs * budget.perMinute) / 60_000;
      if (shortBy < JITTER_SHARE * budget.capacity) continue;
      this.#burstCap[kind] = (budget.capacity / budget.perMinute) * 30_000; // half the burst
      this.#rebuild(kind, now);
    }
    if (mispredicted && now - this.#lastHeadroomCut >= 1000 && this.#headroom > MIN_HEADROOM) {
      this.#lastHeadroomCut = now;
      this.#headroom = Math.max(MIN_HEADROOM, this.#headroom - 0.02);
      this.#rebuild('requests', now);
      this.#rebuild('tokens', now);
    }
    if (advisedMs !== undefined) {
      if (blameRequests) this.#roomAfter('requests', 1, advisedMs, now);
      if (blameTokens) this.#roomAfter('tokens', sent?.cost ?? 0, advisedMs, now);
    }
    return blamed;
  }

  /** Raises the budget so that `cost` fits in `ms` from now, if it would take longer. */
  #roomAfter(kind: Kind, cost: number, ms: number, now: number): void {
    const budget = this[kind];
    if (!budget) return;
    const needed = Math.min(cost, budget.capacity) - (ms * budget.perMinute) / 60_000;
    const level = budget.level(now);
    if (needed > level) this.#lower(kind, level - needed, now);
  }

  /** Takes in one limit's figures; says whether its bucket was just built or replaced. */
  #learn(kind: Kind, stated?: number, remaining?: number, resetMs?: number, now = 0): Rebuilt {
    if (!this.#server[kind].observe(stated, remaining, resetMs)) return false;
    return this.#rebuild(kind, now);
  }

  /**
   * The bucket in force: the limit aimed at (a configured one is an upper bound the server can only
   * lower: a tier set too high would otherwise meet a 429 on every other call) over the server's
   * burst, or the assumed one. A replaced bucket keeps the old level (at most its capacity).
   */
  #rebuild(kind: Kind, now: number): Rebuilt {
    const server = this.#server[kind];
    const configured = kind === 'requests' ? this.options.rpm : this.options.tpm;
    const learned = server.limit === undefined ? undefined : server.limit * this.#headroom;
    const perMinute =
      learned === undefined ? configured : Math.min(configured ?? Number.POSITIVE_INFINITY, learned);
    if (perMinute === undefined) return false;
    const burstMs = Math.min(server.burstMs ?? this.options.burstMs, this.#burstCap[kind]);
    const capacity = Math.max(1, kind === 'tokens' ? this.#burstFloor : 0, (perMinute * burstMs) / 60_000);
    const current = this[kind];
    if (current?.perMinute === perMinute && current.capacity === capacity) return false;
    const next = new TokenBucket(perMinute, capacity, now);
    if (current) next.lowerTo(current.level(now), now);
    this[kind] = next;
    return current ? 'replaced' : 'new';
  }

  /**
   * Moves our level towards the server's `remaining`, scaled from its per-minute figure to our
   * bucket. The figure is the server's level when it admitted the call; what we sent after that
   * call is not in it.
   * - A bucket just made (the limit was unknown), or an answer to a call sent before it was, gives
   *   bounds on the server's level now (`#serverNow`): our level comes down to the upper one, or
   *   up to the lower one.
   * - A bucket just replaced (a new limit or burst) comes down to the server's level, or goes up
   *   to it less what was sent since the call, when the server has clearly more (`RAISE_SHARE`).
   * - Otherwise the difference against our level when the call was sent, less the corrections
   *   made since, is applied now: a shortfall past the figure's rounding always, a surplus only
   *   when large.
   * An answer to a call sent under another bucket says nothing about this one.
   */
  #follow(
    kind: Kind,
    fresh: Rebuilt,
    remaining: number | undefined,
    sent: SentLevels | undefined,
    now: number,
  ): void {
    const budget = this[kind];
    const limit = this.#server[kind].limit;
    if (!budget || remaining === undefined || !limit) return;
    const server = (Math.min(remaining, limit) / limit) * budget.capacity;
    const requests = kind === 'requests';
    const sentBucket = requests ? sent?.requestBucket : sent?.tokenBucket;
    let difference: number;
    if (fresh === 'new' || (sent && sentBucket === undefined)) {
      const level = budget.level(now);
      if (!sent) {
        this.#lower(kind, Math.max(0, level - server), now); // not followed up: as of when it was admitted
        return;
      }
      const { lowest, highest } = this.#serverNow(kind, server, sent, now);
      this.#lower(kind, level > highest ? level - highest : level < lowest ? level - lowest : 0, now);
      return;
    }
    if (fresh === 'replaced') {
      // Down to the server's figure at most: the calls sent since may yet be refused. Up by its
      // figure less those calls, as if every one of them were admitted.
      const level = budget.level(now);
      const since = !sent
        ? Number.POSITIVE_INFINITY
        : requests
          ? this.#taken.requests - sent.takenRequests
          : this.#taken.tokens - sent.takenTokens;
      difference = server < level ? server - level : Math.max(0, server - since - level);
    } else {
      const sentLevel = requests ? sent?.requests : sent?.tokens;
      if (!sent || sentLevel === undefined || sentBucket !== budget) return;
      const since = this.#corrected[kind] - (requests ? sent.correctedRequests : sent.correctedTokens);
      const ours = sentLevel - since;
      // The figure is whole units, rounded down ("0" is anything short of one call or token): a
      // level of ours below the next unit up agrees with it. Taking "0" as exactly empty took off
      // the fraction our timer fired late on every call, and paced 600 a minute at 0.25% below it.
      const ceiling = remaining < 1 ? Math.min(1, budget.capacity) : server + budget.capacity / limit;
      difference = ours > ceiling ? ceiling - ours : Math.max(0, server - ours);
    }
    if (difference < 0 || difference > RAISE_SHARE * budget.capacity) this.#lower(kind, -difference, now);
  }

  /**
   * Bounds on the server's level now, from `server`, its level when it admitted a call sent blind
   * (no level of ours to compare with), less the calls sent after it and not refused. The highest
   * adds the refill since the call was sent; the lowest adds none, since the server admitted it
   * somewhat later, when it got there: counting from the send made the lane send the next call a
   * few milliseconds before the server had refilled it (a 429). A call not yet answered counts
   * as admitted: a 429 comes back at once, so those in flight mostly were. Without these bounds a
   * new bucket took the server's room then for its room now, where the calls sent since had taken
   * it (a 429 for the next call), or it had refilled.
   */
  #serverNow(kind: Kind, server: number, sent: SentLevels, now: number): { lowest: number; highest: number } {
    const budget = this[kind]!;
    const requests = kind === 'requests';
    const sentSince = requests
      ? this.#taken.requests - sent.takenRequests
      : this.#taken.tokens - sent.takenTokens;
    const refusedSince = requests
      ? this.#refused.requests - sent.refusedRequests
      : this.#refused.tokens - sent.refusedTokens;
    const admitted = Math.max(0, sentSince - refusedSince);
    const highest = server + ((now - sent.at) * budget.perMinute) / 60_000 - admitted;
    // A call sent without a tokens budget took no estimate of its tokens: what went since is
    // undercounted, so the lowest level is not one.
    return { lowest: requests ? server - admitted : Number.NEGATIVE_INFINITY, highest };
  }

  #lower(kind: Kind, amount: number, now: number): void {
    if (amount === 0 || Number.isNaN(amount)) return;
    this[kind]?.adjust(-amount, now);
    this.#corrected[kind] += amount;
  }
}
