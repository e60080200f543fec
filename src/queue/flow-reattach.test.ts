/**
 * A killed `volley flow --queue` coordinator, started again, reattaches to its jobs: the run id is
 * journaled once and taken back, and a call's job id is its step, input and content, not this
 * process's counters. Real time against a throwaway redis-server; only counts are asserted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { systemClock } from '../clock.js';
import { openai } from '../providers/index.js';
import type { Executor, ExecutorContext } from '../run/types.js';
import { createSimulator } from '../simulator/handler.js';
import { type CallQueue, openCallQueue } from './call-queue.js';
import { connectLimiterRedis } from './connect.js';
import { queuedFlowExecutor, queueFlowClient } from './flow-client.js';
import { redisTarget } from './redis-url.js';
import { describeWithRedis, type RedisServer, startRedis } from './test-support/redis-server.js';
import { startWorker } from './worker.js';
import { sharedLimitClient } from './worker-client.js';

let server: RedisServer;
let queue: CallQueue;
beforeAll(async () => {
  server = await startRedis();
  queue = await openCallQueue(redisTarget(server.url), 'reattach');
});
afterAll(async () => {
  await queue?.close();
  await server?.close();
});

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describeWithRedis('volley flow --queue after a coordinator crash', () => {
  it('journals the run id once and gives a resumed run the same one', async () => {
    const entries: unknown[] = [];
    const context = {
      journal: { entries, note: async (entry: unknown) => void entries.push(entry) },
    } as unknown as ExecutorContext;
    const attached: Array<[string, boolean]> = [];
    const client = { attach: (run: string, resumed: boolean) => void attached.push([run, resumed]) };
    const inner: Executor<string> = {
      name: 'flow',
      tier: 'realtime',
      run: async function* () {},
      stop: () => {},
    };
    const wrapped = queuedFlowExecutor(inner, client as unknown as Parameters<typeof queuedFlowExecutor>[1]);
    for (let i = 0; i < 2; i++) for await (const _ of wrapped.run((async function* () {})(), context));
    expect(entries).toHaveLength(1);
    expect(attached).toEqual([
      [(entries[0] as { run: string }).run, false],
      [(entries[0] as { run: string }).run, true],
    ]);
  });

  it('takes the answer a worker gave while no coordinator was there, without sending it again', {
    timeout: 60_000,
  }, async () => {
    const request = { prompt: 'Write about tides.' };
    const first = queueFlowClient({ queue, model: 'gpt-4o-mini', clock: systemClock });
    first.attach('frun1', false);
    // The first coordinator's counters: run context 1, call 1. It dies before any worker runs.
    void first.complete(request, { id: 'flow:article#1@line-1/outline#1' }).catch(() => {});
    await until(async () => (await queue.counts()).waiting === 1);
    first.close();

    const simulator = createSimulator({ latencyMedianMs: 2, models: [] });
    const redis = await connectLimiterRedis(redisTarget(server.url));
    const base = new Volley({
      provider: openai({ apiKey: 'k', baseURL: 'http://sim.test/v1', fetch: simulator.fetch, env: {} }),
    });
    const worker = await startWorker({
      target: redisTarget(server.url),
      volley: sharedLimitClient(base, { redis, concurrency: 2 }),
      queueName: 'reattach',
    });
    await until(async () => simulator.stats().successes === 1 && (await queue.counts()).active === 0);
    await worker.close();

    // Started again: another process, so other counters for the same step of the same input.
    const second = queueFlowClient({ queue, model: 'gpt-4o-mini', clock: systemClock });
    second.attach('frun1', true);
    const result = await second.complete(request, { id: 'flow:article#7@line-1/outline#3' });
    second.close();
    expect(result.text.length).toBeGreaterThan(0);
    expect(simulator.stats().successes).toBe(1);
    expect(simulator.stats().requests).toBe(1);
  });
});
