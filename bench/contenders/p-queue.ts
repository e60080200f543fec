/**
 * `p-queue` with `intervalCap` / `interval` set to the requests-per-minute limit, spread per second
 * (`interval: 60000 / 60`, `intervalCap: rpm / 60`), and `strict` (a sliding window), which its README
 * recommends for APIs that enforce strict rate limits. No concurrency cap (its default), over the
 * `openai` SDK with its default retries.
 */
import PQueue from 'p-queue';
import { complete, runItems, sdkClient } from './shared.js';
import type { Contender } from './types.js';

export function pQueueSettings(rpm: number): { interval: number; intervalCap: number; strict: true } {
  return { interval: 60_000 / 60, intervalCap: Math.max(1, Math.floor(rpm / 60)), strict: true };
}

export const pQueue: Contender = (ctx) => {
  if (ctx.limits.rpm === undefined) throw new Error('p-queue is tuned to an rpm; the scenario has none.');
  const client = sdkClient(ctx);
  const queue = new PQueue(pQueueSettings(ctx.limits.rpm));
  return runItems(ctx, (prompt) => queue.add(() => complete(client, ctx.model, prompt)));
};
