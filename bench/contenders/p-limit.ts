/** `p-limit` with a concurrency of 50 over the `openai` SDK and its default retries, as its README shows. */
import pLimit from 'p-limit';
import { complete, runItems, sdkClient } from './shared.js';
import type { Contender } from './types.js';

const CONCURRENCY = 50;

export const pLimitContender: Contender = (ctx) => {
  const client = sdkClient(ctx);
  const limit = pLimit(CONCURRENCY);
  return runItems(ctx, (prompt) => limit(() => complete(client, ctx.model, prompt)));
};
