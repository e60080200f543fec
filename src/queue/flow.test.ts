/**
 * `volley flow --queue` end to end, in-process: the flow engine runs in `runCli` (the coordinator)
 * and every call of its steps is a job that in-process workers answer from the simulator through
 * the shared limiter. Real time, so only what cannot vary is asserted.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { connectLimiterRedis } from './connect.js';
import { redisTarget } from './redis-url.js';
import { testIO } from './test-support/cli-io.js';
import { describeWithRedis, type RedisServer, startRedis } from './test-support/redis-server.js';
import { type QueueWorker, startWorker } from './worker.js';
import { sharedLimitClient } from './worker-client.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.close();
});

const root = resolve(import.meta.dirname, '../..');

describeWithRedis('volley flow --queue', () => {
  it('runs the flow here and its calls on the workers: one record per input, a rerun sends nothing', {
    timeout: 120_000,
  }, async () => {
    const simulator = createSimulator({ latencyMedianMs: 2, models: [] });
    const workers: QueueWorker[] = [];
    for (let i = 0; i < 2; i++) {
      const redis = await connectLimiterRedis(redisTarget(server.url));
      const base = new Volley({
        provider: openai({
          apiKey: 'worker-key',
          baseURL: 'http://sim.test/v1',
          fetch: simulator.fetch,
          env: {},
        }),
      });
      const volley = sharedLimitClient(base, { redis, concurrency: 4 });
      workers.push(
        await startWorker({ target: redisTarget(server.url), volley, queueName: 'flows', concurrency: 4 }),
      );
    }
    try {
      const dir = await mkdtemp(join(tmpdir(), 'volley-queue-flow-'));
      const input = join(dir, 'topics.jsonl');
      const out = join(dir, 'articles.jsonl');
      await writeFile(input, '"tides"\n"kelp"\n"reefs"\n');
      const args = [
        'flow',
        'examples/article-flow.ts',
        '-i',
        input,
        '-o',
        out,
        '--queue',
        `${server.url}?queue=flows`,
        '--quiet',
        '--sim',
      ];
      const io = { ...testIO(dir, {}), cwd: root };
      expect(await runCli(args, io)).toBe(0);
      const records = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records.map((r) => r.input)).toEqual(['tides', 'kelp', 'reefs']);
      for (const record of records) expect(record).toMatchObject({ error: null, calls: 5, flow: 'article' });
      expect(records[0].output.sections).toHaveLength(3);
      // Every call was made by a worker, once: 3 inputs x 5 calls.
      expect(simulator.stats().successes).toBe(15);
      expect(workers.reduce((sum, w) => sum + w.counts.answered, 0)).toBe(15);
      expect(await runCli(args, { ...testIO(dir, {}), cwd: root })).toBe(0);
      expect(simulator.stats().successes).toBe(15);
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
    }
  });
});
