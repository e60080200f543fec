/**
 * A worker's client: the one its flags or its caller built (its own provider and key), with every
 * model behind the shared limiter of its organisation. The configured rpm and tpm become the shared
 * limiter's upper bounds instead of a lane budget of this process alone, and the lane runs at the
 * fixed concurrency of the jobs the worker takes.
 */
import type { Redis } from 'ioredis';
import { Volley } from '../client/volley.js';
import { limiterKey } from './limiter/key.js';
import { limitedProvider } from './limiter/limited-provider.js';
import { SharedLimiter } from './limiter/shared-limiter.js';

export interface SharedClientOptions {
  readonly redis: Redis;
  /** Jobs the worker takes at once: the lane's fixed cap. */
  readonly concurrency: number;
  /** Names the organisation whose limits several keys share; default: the server and key fingerprint. */
  readonly org?: string | undefined;
  /** Refill a shared bucket holds (ms). @default 1000 */
  readonly burstMs?: number | undefined;
}

export function sharedLimitClient(base: Volley, options: SharedClientOptions): Volley {
  const o = base.options;
  const limiters = new Map<string, SharedLimiter>();
  const limiterFor = (model: string) => {
    let limiter = limiters.get(model);
    if (!limiter) {
      limiter = new SharedLimiter({
        redis: options.redis,
        key: limiterKey(o.provider, model, options.org),
        rpm: o.rpm,
        tpm: o.tpm,
        burstMs: options.burstMs,
        clock: o.clock,
      });
      limiters.set(model, limiter);
    }
    return limiter;
  };
  return new Volley({
    provider: limitedProvider(o.provider, { limiterFor, outputTokens: o.outputTokens }),
    model: o.model,
    limits: { concurrency: options.concurrency },
    retry: { maxAttempts: o.maxAttempts, ...o.backoff },
    timeout: o.timeout,
    deadline: o.deadline,
    maxOutage: o.maxOutage,
    signal: o.signal,
    outputTokens: o.outputTokens,
    clock: o.clock,
    random: o.random,
  });
}
