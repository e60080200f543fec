/** Flows call through the client, so a cached client answers their steps too; the records say so. */
import 'openai';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { flow } from '../flows/flow.js';
import { openai } from '../providers/index.js';
import type { FlowRecord } from '../records/types.js';
import { createSimulator } from '../simulator/handler.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';

const twoSteps = flow('two', async (topic: string, step) => {
  const first = await step.llm('first', `first ${topic}`);
  return step.llm('second', `second ${topic} after ${first}`);
});

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const result of results) all.push(result);
  return all;
}

describe('a flow on a cached client', () => {
  it('a rerun into a new output makes no call: each record is cached, costs 0, and counts its cached calls', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const simulator = createSimulator({ models: [], clock, latencyMedianMs: 50 });
    const dir = await mkdtemp(join(tmpdir(), 'volley-flow-cache-'));
    const volley = () =>
      new Volley({
        provider: openai({ baseURL: 'http://sim/v1', apiKey: 'k', env: {}, fetch: simulator.fetch }),
        model: 'm',
        clock,
        random: () => 0.5,
        cache: join(dir, 'cache'),
      });
    const inputs = ['a', 'b', 'c'];
    const first = await settleOn(
      clock,
      collect(twoSteps.batch(inputs, { volley: volley(), out: join(dir, '1.jsonl') })),
    );
    expect(simulator.stats().requests).toBe(6);
    simulator.resetStats();
    const again = await settleOn(
      clock,
      collect(twoSteps.batch(inputs, { volley: volley(), out: join(dir, '2.jsonl') })),
    );
    expect(simulator.stats().requests).toBe(0);
    expect(again.map((r) => r.record.output)).toEqual(first.map((r) => r.record.output));
    for (const { record } of again)
      expect(record as FlowRecord).toMatchObject({
        cached: true,
        cached_calls: 2,
        calls: 0,
        cost_usd: 0,
        usage: null,
      });
  });
});
