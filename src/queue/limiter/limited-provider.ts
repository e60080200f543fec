/**
 * A worker's provider behind the shared limiter: each attempt is admitted by the limiter of its
 * organisation and model before it goes, and reconciled with what the server said once it has
 * answered. The rate-limit headers are the shared limiter's to follow, so the lane above sees an
 * answer without them and keeps no budget of its own that would disagree with the shared one.
 *
 * This wraps the provider until the scheduler has an admission step of its own; the one cost is
 * that the lane counts the wait for admission as part of the attempt's latency, which is why a
 * worker's lane runs at a fixed concurrency (the job count it takes) rather than an adaptive one.
 */
import type { VolleyError } from '../../errors.js';
import type { Provider, ProviderRequest, ProviderResponse } from '../../providers/types.js';
import { estimateMessageTokens, loadTokenizer } from '../../tokens/count.js';
import { retryAfterMs } from '../../wire/index.js';
import type { SharedLimiter } from './shared-limiter.js';

export interface LimitedProviderOptions {
  /** The limiter of a model, made once per model by the caller. */
  readonly limiterFor: (model: string) => SharedLimiter;
  /** Output tokens assumed for a call without `maxTokens` until answers are seen. @default 256 */
  readonly outputTokens?: number | undefined;
}

export function limitedProvider(provider: Provider, options: LimitedProviderOptions): Provider {
  // The typical answer length per model, as this worker learns it: what a call without max_tokens
  // reserves. The mean of the first answers, then a moving average: one answer alone is a poor
  // guess when lengths vary by ±30%, and a worker among sixteen sees few answers early on.
  const typical = new Map<string, { mean: number; seen: number }>();
  const initial = options.outputTokens ?? 256;

  async function send(request: ProviderRequest, context: Parameters<Provider['send']>[1]) {
    const limiter = options.limiterFor(request.model);
    // As in the lane: the tables load in the background, and until they are in the prompt is
    // estimated from its characters, so a worker's first job does not wait a second for them.
    const prompt = estimateMessageTokens(request.messages);
    if (!prompt.exact) void loadTokenizer();
    const estimate = () =>
      prompt.tokens + (request.maxTokens ?? Math.round(typical.get(request.model)?.mean ?? initial));
    const ticket = await limiter.acquire(estimate, context.signal);
    let response: ProviderResponse;
    try {
      response = await provider.send(request, context);
    } catch (thrown) {
      const error = thrown as VolleyError;
      const pauseMs =
        error.code === 'rate_limited' ? (retryAfterMs(error.headers, Date.now()) ?? 1000) : undefined;
      // The attempt may have reached the server (a timeout, a reset): its reservation stays spent.
      limiter
        .done(ticket, { answered: error.status !== undefined, headers: error.headers, pauseMs })
        .catch(() => {});
      throw thrown;
    }
    const usage = response.usage;
    if (usage && request.maxTokens === undefined) {
      const learned = typical.get(request.model) ?? { mean: 0, seen: 0 };
      learned.seen++;
      learned.mean += (usage.completionTokens - learned.mean) / Math.min(learned.seen, 10);
      typical.set(request.model, learned);
    }
    const charged = usage && usage.promptTokens + (request.maxTokens ?? usage.completionTokens);
    limiter.done(ticket, { answered: true, charged, headers: response.headers }).catch(() => {});
    return { ...response, headers: withoutRateLimits(response.headers) };
  }

  // Everything else (id, kind, base URL, fingerprint, ...) is the provider's own.
  return Object.create(provider, { send: { value: send } }) as Provider;
}

function withoutRateLimits(headers: Headers): Headers {
  const kept = new Headers();
  headers.forEach((value, name) => {
    if (!name.startsWith('x-ratelimit-')) kept.set(name, value);
  });
  return kept;
}
