/**
 * The client side of the shared limiter (`script.ts`): one per worker process and lane. A call
 * asks Redis at once when none of this process's calls is waiting, so calls that fit go in one
 * round trip each, side by side (ioredis pipelines them on one connection): admitting one at a
 * time would cap a process at one call per round trip, and a loaded host at a few dozen a second.
 * A call told to wait joins this process's line: the head sleeps exactly as long as the script
 * said and asks again, the rest wait their turn behind it, so a process polls Redis for its head
 * call only (not once per waiting call).
 */
import type { Redis } from 'ioredis';
import { type Clock, sleep } from '../../clock.js';
import { VolleyError } from '../../errors.js';
import { readRateLimitHeaders } from '../../wire/index.js';
import { LIMITER_SCRIPT } from './script.js';

export interface SharedLimiterOptions {
  readonly redis: Redis;
  /** The Redis key of this organisation and model (`limiterKey`). */
  readonly key: string;
  /** Configured requests per minute: an upper bound the server's headers may only lower. */
  readonly rpm?: number | undefined;
  /** Configured tokens per minute: an upper bound the server's headers may only lower. */
  readonly tpm?: number | undefined;
  /** Refill a bucket holds, in ms. @default 1000 */
  readonly burstMs?: number;
  /** For sleeping between tries. */
  readonly clock: Clock;
  /** Time passed to the script instead of Redis `TIME`: tests make the arithmetic exact with it. */
  readonly time?: (() => number) | undefined;
}

/** What one admitted call took, handed back with `done`. */
export interface LimiterTicket {
  readonly estimate: number;
  readonly reserved: number;
  readonly probe: boolean;
  /** Our levels right after this call took its share, and what had been lowered until then. */
  readonly requestsLeft: string;
  readonly tokensLeft: string;
  readonly lowered: readonly [string, string];
  readonly generation: string;
  /** Its place in the order of admissions (every worker's): tells answers that come back late. */
  readonly seq: string;
}

export interface LimiterOutcome {
  /** The server answered (with any status); false for a connection error or a cancelled attempt. */
  readonly answered: boolean;
  /** Tokens the server charged (prompt + `max_tokens`, or + the completion); undefined when unknown. */
  readonly charged?: number | undefined;
  /** The call never reached the server: give its request back. */
  readonly unsent?: boolean | undefined;
  readonly headers?: Headers | undefined;
  /** The answer was a 429: every worker pauses this long. */
  readonly pauseMs?: number | undefined;
}

type Reply = [string, string, string, string?, string?, string?, string?, string?, string?];
type ScriptRunner = (key: string, ...args: string[]) => Promise<Reply>;

export class SharedLimiter {
  readonly #run: ScriptRunner;
  readonly #static: readonly string[];
  /** The head of this process's waiting line; the rest wait their turn behind it. */
  #turn: Promise<unknown> = Promise.resolve();
  /** Calls of this process in the waiting line: while any wait, a new call joins them. */
  #waiting = 0;
  /** Tells this process's waiting calls apart from other processes' in a claim. */
  readonly #id = String(1 + Math.floor(Math.random() * 999_999_999_999));

  constructor(private readonly options: SharedLimiterOptions) {
    const redis = options.redis as Redis & { volleyLimiter?: ScriptRunner };
    // defineCommand sends EVALSHA and falls back to EVAL after a Redis restart flushed the script.
    if (!redis.volleyLimiter) redis.defineCommand('volleyLimiter', { numberOfKeys: 1, lua: LIMITER_SCRIPT });
    this.#run = (key, ...args) =>
      (redis as Redis & { volleyLimiter: ScriptRunner }).volleyLimiter(key, ...args);
    this.#static = [num(options.rpm), num(options.tpm), String(options.burstMs ?? 1000)];
  }

  /**
   * Resolves once the call may go (both budgets debited); rejects with `request_too_large` or the
   * abort. `estimate` is asked again at each try: a call can wait many seconds in line, and what
   * answers were learned to cost meanwhile is a better estimate than what was known when it came.
   */
  async acquire(estimate: number | (() => number), signal?: AbortSignal): Promise<LimiterTicket> {
    const started = this.options.clock.now();
    let wait = 0;
    if (this.#waiting === 0) {
      signal?.throwIfAborted();
      const first = await this.#ask(estimate, started);
      if (typeof first !== 'number') return first;
      wait = first;
    }
    const askedAt = this.options.clock.now();
    this.#waiting++;
    const turn = this.#turn.then(async () => {
      // The wait the first answer gave runs from when it was given, not from the head's turn.
      let ms = wait - (this.options.clock.now() - askedAt);
      for (;;) {
        if (ms > 0) await sleep(this.options.clock, Math.ceil(ms), signal);
        signal?.throwIfAborted();
        const reply = await this.#ask(estimate, started);
        if (typeof reply !== 'number') return reply;
        ms = Math.max(1, reply);
      }
    });
    this.#turn = turn.catch(() => {});
    try {
      return await turn;
    } finally {
      this.#waiting--;
    }
  }

  /** One try: the ticket, or how long to wait before the next (ms). */
  async #ask(estimateOf: number | (() => number), started: number): Promise<LimiterTicket | number> {
    const estimate = typeof estimateOf === 'number' ? estimateOf : estimateOf();
    const waited = String(this.options.clock.now() - started);
    const reply = await this.#call('acquire', String(Math.ceil(estimate)), this.#id, waited);
    if (reply[0] === 'too_large') throw tooLarge(Number(reply[1]), Number(reply[2]));
    if (reply[0] !== 'ok') return Number(reply[1]);
    const [, reserved, requestsLeft, tokensLeft, lowR, lowT, generation, probe, seq] = reply;
    return {
      estimate,
      reserved: Number(reserved),
      probe: probe === '1',
      requestsLeft: requestsLeft ?? '',
      tokensLeft: tokensLeft ?? '',
      lowered: [lowR ?? '0', lowT ?? '0'],
      generation: generation ?? '',
      seq: seq ?? '',
    };
  }

  /** Reconciles a call with what the server said: usage, limit and remaining headers, a 429. */
  async done(ticket: LimiterTicket, outcome: LimiterOutcome): Promise<void> {
    const seen = outcome.headers ? readRateLimitHeaders(outcome.headers) : {};
    await this.#call(
      'done',
      String(ticket.reserved),
      String(ticket.estimate),
      num(outcome.charged),
      outcome.unsent ? '1' : '0',
      ticket.probe ? '1' : '0',
      num(seen.limitRequests),
      num(seen.limitTokens),
      num(seen.remainingRequests),
      num(seen.remainingTokens),
      ticket.requestsLeft,
      ticket.tokensLeft,
      ticket.lowered[0],
      ticket.lowered[1],
      ticket.probe ? '' : ticket.generation,
      num(outcome.pauseMs),
      outcome.answered ? '1' : '0',
      ticket.seq,
    );
  }

  /** The shared state, for tests and `volley status`. */
  async state(): Promise<Record<string, number>> {
    const flat = (await this.#call('state')) as string[];
    const state: Record<string, number> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) state[flat[i]!] = Number(flat[i + 1]);
    return state;
  }

  #call(op: string, ...args: string[]): Promise<Reply> {
    const time = this.options.time ? String(this.options.time()) : '';
    return this.#run(this.options.key, op, time, ...this.#static, ...args);
  }
}

function num(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function tooLarge(limit: number, requested: number): VolleyError {
  return new VolleyError(
    'request_too_large',
    `This request needs about ${requested} tokens, more than the ${limit} tokens per minute the ` +
      'limit allows: no wait will let it through. Lower max_tokens, shorten the prompt, or split it.',
    { retryable: false },
  );
}
