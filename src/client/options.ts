/** The options of `new Volley(...)`: documented, defaulted once, and checked before any call is made. */
import { ResponseCache, type ResponseCacheOptions } from '../cache/store.js';
import { type Clock, systemClock } from '../clock.js';
import {
  describe,
  nonNegative,
  OptionError,
  positive,
  rejectUnknown,
  wholePositive,
} from '../options/check.js';
import type { Provider } from '../providers/types.js';
import { type BackoffOptions, defaultBackoff } from '../retry/backoff.js';

export interface LimitOptions {
  /** Requests per minute per model. @default learned from the server's `x-ratelimit-*` headers */
  readonly rpm?: number | undefined;
  /** Tokens per minute per model (prompt plus reserved output). @default learned from the headers */
  readonly tpm?: number | undefined;
  /**
   * Fixed cap on calls in flight per model. @default adaptive: from 4 (doubling every 500 ms until
   * the server answers) up to `maxConcurrency`, or from `maxConcurrency` when `rpm` is set
   */
  readonly concurrency?: number | undefined;
  /** Highest adaptive concurrency per model. @default 512 */
  readonly maxConcurrency?: number | undefined;
}

export interface RetryOptions extends Partial<BackoffOptions> {
  /** Attempts per call, the first included. @default 6 */
  readonly maxAttempts?: number | undefined;
}

export interface VolleyOptions {
  /** Where calls go, e.g. `openai()` or `anthropic()`. */
  readonly provider: Provider;
  /** Model for requests that name none. @default the provider's `defaultModel` */
  readonly model?: string | undefined;
  readonly limits?: LimitOptions | undefined;
  readonly retry?: RetryOptions | undefined;
  /** Per-attempt timeout (ms). @default 60_000 */
  readonly timeout?: number | undefined;
  /** Time budget per call, queueing and retries included (ms). @default Infinity */
  readonly deadline?: number | undefined;
  /**
   * How long a server that cannot be reached at all (connection refused, reset, DNS) is waited for
   * (ms). During an outage one call at a time probes it, with backoff, and the waiting calls keep
   * their attempts; past this the waiting calls fail with `unreachable`. @default 300_000
   */
  readonly maxOutage?: number | undefined;
  /** Cancels every call of this client. */
  readonly signal?: AbortSignal | undefined;
  /** Output tokens reserved for a call without `maxTokens` until real answers are seen. @default 256 */
  readonly outputTokens?: number | undefined;
  /** @default the system clock */
  readonly clock?: Clock | undefined;
  /** Source of jitter, in [0, 1). @default Math.random */
  readonly random?: (() => number) | undefined;
  /**
   * A response cache: a directory, `{ dir, maxAge }` (ms), or a `ResponseCache` to share. A hit
   * is answered without a call (no rate budget, no cost, no events) and says `cached: true`; only
   * successful answers are stored. With sampling (temperature > 0) a hit is one sample, repeated.
   * @default none
   */
  readonly cache?: string | Omit<ResponseCacheOptions, 'clock'> | ResponseCache | undefined;
}

export interface ResolvedOptions {
  readonly provider: Provider;
  readonly model: string | undefined;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly concurrency: number | undefined;
  readonly maxConcurrency: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  readonly timeout: number;
  readonly deadline: number;
  readonly maxOutage: number;
  readonly signal: AbortSignal | undefined;
  readonly outputTokens: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly cache: ResponseCache | undefined;
}

const KNOWN = {
  options: [
    'provider',
    'model',
    'limits',
    'retry',
    'timeout',
    'deadline',
    'maxOutage',
    'signal',
    'outputTokens',
    'clock',
    'random',
    'cache',
  ],
  limits: ['rpm', 'tpm', 'concurrency', 'maxConcurrency'],
  retry: ['maxAttempts', 'initialDelay', 'maxDelay', 'multiplier'],
} as const;

export function resolveOptions(options: VolleyOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new OptionError('Volley options must be an object.');
  rejectUnknown(options, KNOWN.options);
  const limits = options.limits ?? {};
  const retry = options.retry ?? {};
  rejectUnknown(limits, KNOWN.limits, (key) => `\`limits.${key}\``);
  rejectUnknown(retry, KNOWN.retry, (key) => `\`retry.${key}\``);
  const provider = options.provider;
  if (!provider || typeof provider.send !== 'function' || typeof provider.id !== 'string') {
    throw new OptionError(
      `Expected \`provider\` to be a provider such as openai(); got ${describe(provider)}.`,
    );
  }
  const clock = options.clock ?? systemClock;
  return {
    provider,
    model: options.model ?? provider.defaultModel,
    rpm: positive('limits.rpm', limits.rpm),
    tpm: positive('limits.tpm', limits.tpm),
    concurrency: wholePositive('limits.concurrency', limits.concurrency),
    maxConcurrency: wholePositive('limits.maxConcurrency', limits.maxConcurrency) ?? 512,
    maxAttempts: wholePositive('retry.maxAttempts', retry.maxAttempts) ?? 6,
    backoff: {
      initialDelay: nonNegative('retry.initialDelay', retry.initialDelay) ?? defaultBackoff.initialDelay,
      maxDelay: nonNegative('retry.maxDelay', retry.maxDelay) ?? defaultBackoff.maxDelay,
      multiplier: positive('retry.multiplier', retry.multiplier) ?? defaultBackoff.multiplier,
    },
    timeout: positive('timeout', options.timeout) ?? 60_000,
    deadline: positive('deadline', options.deadline) ?? Number.POSITIVE_INFINITY,
    maxOutage: positive('maxOutage', options.maxOutage) ?? 300_000,
    signal: options.signal,
    outputTokens: nonNegative('outputTokens', options.outputTokens) ?? 256,
    clock,
    random: options.random ?? Math.random,
    cache: resolveCache(options.cache, clock),
  };
}

function resolveCache(cache: VolleyOptions['cache'], clock: Clock): ResponseCache | undefined {
  if (cache === undefined || cache instanceof ResponseCache) return cache;
  if (typeof cache !== 'string' && (typeof cache !== 'object' || cache === null))
    throw new OptionError(
      `Expected \`cache\` to be a directory, { dir, maxAge } or a ResponseCache, got ${describe(cache)}.`,
    );
  // A cache the client builds ages its entries on the client's clock.
  return new ResponseCache(typeof cache === 'string' ? { dir: cache, clock } : { ...cache, clock });
}
