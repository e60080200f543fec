/**
 * `Bottleneck` hand-tuned to the requests-per-minute limit, as its README's rate-limiting example
 * does: `minTime = 60000 / rpm` between launches, and `maxConcurrent` set to twice what the rate and
 * the typical latency need (Little's law) so it never is the bottleneck. Over the `openai` SDK with
 * its default retries. Tuned to requests only: Bottleneck has no notion of tokens.
 */
import Bottleneck from 'bottleneck';
import { complete, runItems, sdkClient } from './shared.js';
import type { Contender } from './types.js';

export function bottleneckSettings(
  rpm: number,
  latencyMs: number,
): { minTime: number; maxConcurrent: number } {
  return {
    minTime: 60_000 / rpm,
    maxConcurrent: Math.max(1, Math.ceil(((2 * rpm) / 60_000) * latencyMs)),
  };
}

export const bottleneck: Contender = (ctx) => {
  if (ctx.limits.rpm === undefined) throw new Error('Bottleneck is tuned to an rpm; the scenario has none.');
  const client = sdkClient(ctx);
  const limiter = new Bottleneck(bottleneckSettings(ctx.limits.rpm, ctx.latencyMs));
  return runItems(ctx, (prompt) => limiter.schedule(() => complete(client, ctx.model, prompt)));
};
