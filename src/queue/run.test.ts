/**
 * `volley run --queue` end to end, in-process: the coordinator is `runCli`, the workers answer
 * from the in-process simulator. Real time, so only what cannot vary is asserted: one record per
 * line, in input order, nothing paid twice, and a resumed run taking what the workers answered.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator, type Simulator } from '../simulator/handler.js';
import { openCallQueue } from './call-queue.js';
import { connectRedis } from './connect.js';
import { redisTarget } from './redis-url.js';
import { testIO } from './test-support/cli-io.js';
import { describeWithRedis, type RedisServer, startRedis } from './test-support/redis-server.js';
import { type QueueWorker, startWorker } from './worker.js';
import { sharedLimitClient } from './worker-client.js';

let server: RedisServer;
let dir: string;
let simulator: Simulator;
const workers: QueueWorker[] = [];
let queueName: string;
let serial = 0;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-queue-run-'));
  simulator = createSimulator({ latencyMedianMs: 2, models: [] });
  queueName = `run${++serial}`;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
});

async function startWorkers(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const redis = await connectRedis(redisTarget(server.url));
    const base = new Volley({
      provider: openai({
        apiKey: 'worker-key',
        baseURL: 'http://sim.test/v1',
        fetch: simulator.fetch,
        env: {},
      }),
    });
    const volley = sharedLimitClient(base, { redis, concurrency: 8 });
    workers.push(await startWorker({ target: redisTarget(server.url), volley, queueName, concurrency: 8 }));
  }
}

async function writeInput(n: number): Promise<string> {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ custom_id: `q${i}`, prompt: `Item ${i}?` }),
  );
  const path = join(dir, 'in.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function records(path: string): Promise<{ custom_id: string; error: unknown }[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function args(input: string): string[] {
  return [
    'run',
    input,
    '--out',
    join(dir, 'out.jsonl'),
    '--queue',
    `${server.url}?queue=${queueName}`,
    '--quiet',
    '--sim',
  ];
}

describeWithRedis('volley run --queue', () => {
  it('commits one record per line, in input order, from the workers', async () => {
    await startWorkers(2);
    const input = await writeInput(40);
    const io = testIO(dir, {});
    const code = await runCli(args(input), io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.custom_id)).toEqual(Array.from({ length: 40 }, (_, i) => `q${i}`));
    expect(out.every((r) => r.error === null)).toBe(true);
    expect(simulator.stats().successes).toBe(40);
    // Run again: everything is in the journal, nothing is sent.
    expect(await runCli(args(input), testIO(dir, {}))).toBe(0);
    expect(simulator.stats().successes).toBe(40);
  });

  it('resumes after the coordinator was killed: takes what the workers answered, pays nothing twice', {
    timeout: 180_000,
  }, async () => {
    const input = await writeInput(30);
    const queue = await openCallQueue(redisTarget(server.url), queueName);
    // A real coordinator process, killed with SIGKILL once all 30 are on the queue (no worker yet).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args(input)], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (;;) {
      const counts = await queue.counts();
      if ((counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) >= 30) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await exited;
    await startWorkers(1);
    for (;;) {
      const found = await queue.counts();
      if ((found['waiting'] ?? 0) + (found['active'] ?? 0) + (found['prioritized'] ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await queue.close();
    expect(simulator.stats().successes).toBe(30);
    expect(await runCli(args(input), testIO(dir, {}))).toBe(0);
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.custom_id)).toEqual(Array.from({ length: 30 }, (_, i) => `q${i}`));
    expect(simulator.stats().successes).toBe(30);
    expect(simulator.stats().duplicateSuccesses).toBe(0);
  });
});
