/** An Anthropic client on an in-process simulator with a manual clock, and batch requests to send it. */
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '../../../test-support/manual-clock.js';
import { createSimulator, type Simulator } from '../../handler.js';
import type { SimulatorOptions } from '../../options.js';
import { EPOCH_MS } from './openai.js';

export interface AnthropicSetup {
  readonly clock: ManualClock;
  readonly sim: Simulator;
  readonly client: Anthropic;
}

export function anthropicSetup(options: SimulatorOptions = {}): AnthropicSetup {
  const clock = new ManualClock();
  const sim = createSimulator({ clock, epochMs: EPOCH_MS, latencyMedianMs: 0, ...options });
  const client = new Anthropic({ apiKey: 'test', baseURL: 'http://sim', fetch: sim.fetch, maxRetries: 0 });
  return { clock, sim, client };
}

export const MODEL = 'claude-sonnet-4-6';

/** `n` requests, `req-1` to `req-n`, each asking something different. */
export function messageRequests(n: number): Anthropic.Messages.BatchCreateParams.Request[] {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `req-${i + 1}`,
    params: { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: `question ${i + 1}` }] },
  }));
}

/** Every result of an ended batch, through the SDK's `results()` (which follows `results_url`). */
export async function results(
  client: Anthropic,
  id: string,
): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
  const all = [];
  for await (const result of await client.messages.batches.results(id)) all.push(result);
  return all;
}
