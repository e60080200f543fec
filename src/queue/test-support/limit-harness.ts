/**
 * Workers sharing one limit, on a manual clock: each worker is a `limitedProvider` (its own
 * `SharedLimiter`) over the in-process simulator, running a fixed number of call loops; Redis
 * answers between timers (`IOClock`), so every admission time is exact and nothing depends on
 * the machine. What a run admitted lets a test compare it with the limit, window by window.
 */
import type { Redis } from 'ioredis';
import { sleep } from '../../clock.js';
import { VolleyError } from '../../errors.js';
import type { Provider, ProviderRequest } from '../../providers/types.js';
import { createSimulator } from '../../simulator/handler.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import { limitedProvider } from '../limiter/limited-provider.js';
import { SharedLimiter } from '../limiter/shared-limiter.js';
import type { IOClock } from './io-clock.js';

export interface HarnessRun {
  /** Each admitted answer: when the server took it, and the tokens it charged. */
  readonly admissions: { at: number; tokens: number }[];
  readonly requests: number;
  readonly rateLimited: number;
  /** When the last answer came back. */
  readonly endedAt: number;
}

export async function runWorkers(options: {
  redis: Redis;
  clock: IOClock;
  key: string;
  workers: number;
  loops: number;
  calls: number;
  server: Partial<SimulatorOptions>;
}): Promise<HarnessRun> {
  const { clock } = options;
  const simulator = createSimulator({ models: [], clock, ...options.server });
  const admissions: { at: number; tokens: number }[] = [];
  let requests = 0;
  let rateLimited = 0;
  const server: Provider = {
    id: 'sim',
    kind: 'openai',
    name: 'sim',
    baseURL: 'http://sim.test/v1',
    keyFingerprint: undefined,
    endpoint: 'http://sim.test/v1/chat/completions',
    async send(request: ProviderRequest) {
      requests++;
      const at = clock.now();
      const response = await simulator.handle(
        new Request('http://sim.test/v1/chat/completions', {
          method: 'POST',
          body: JSON.stringify({ model: request.model, messages: request.messages }),
        }),
      );
      const body = (await response.json()) as {
        usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      };
      if (response.status === 429) {
        rateLimited++;
        throw new VolleyError('rate_limited', '429', { status: 429, headers: response.headers });
      }
      admissions.push({ at, tokens: body.usage.total_tokens });
      const usage = {
        promptTokens: body.usage.prompt_tokens,
        completionTokens: body.usage.completion_tokens,
        totalTokens: body.usage.total_tokens,
      };
      return {
        text: '',
        usage,
        finishReason: 'stop',
        model: request.model,
        requestID: undefined,
        headers: response.headers,
        raw: body,
      };
    },
  } as unknown as Provider;

  let next = 0;
  const loop = async (provider: Provider) => {
    while (next < options.calls) {
      const i = next++;
      const request = {
        model: 'm',
        messages: [{ role: 'user' as const, content: `Write a short note about item number ${i}.` }],
        params: {},
      };
      for (;;) {
        try {
          await provider.send(request, { signal: new AbortController().signal });
          break;
        } catch (error) {
          const ms = Number((error as VolleyError).headers?.get('retry-after-ms') ?? 1000);
          await sleep(clock, ms);
        }
      }
    }
  };
  const loops: Promise<void>[] = [];
  for (let w = 0; w < options.workers; w++) {
    // One limiter per worker, as a worker process has one per model (the harness sends one model).
    const limiter = new SharedLimiter({
      redis: options.redis,
      key: options.key,
      clock,
      time: () => clock.now(),
    });
    const provider = limitedProvider(server, { limiterFor: () => limiter });
    for (let l = 0; l < options.loops; l++) loops.push(loop(provider));
  }
  let done = false;
  let endedAt = 0;
  void Promise.all(loops).then(() => {
    done = true;
    endedAt = clock.now();
  });
  while (!done) await clock.advance(50);
  return { admissions, requests, rateLimited, endedAt };
}

/** The most tokens admitted in any window of `windowMs`. */
export function busiestWindow(
  admissions: readonly { at: number; tokens: number }[],
  windowMs: number,
): number {
  const sorted = [...admissions].sort((a, b) => a.at - b.at);
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const entry of sorted) {
    sum += entry.tokens;
    while (sorted[start]!.at <= entry.at - windowMs) sum -= sorted[start++]!.tokens;
    best = Math.max(best, sum);
  }
  return best;
}
