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
import { connectLimiterRedis } from './connect.js';
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

async function startWorkers(n: number, fetch: typeof simulator.fetch = simulator.fetch): Promise<void> {
  for (let i = 0; i < n; i++) {
    const redis = await connectLimiterRedis(redisTarget(server.url));
    const base = new Volley({
      provider: openai({
        apiKey: 'worker-key',
        baseURL: 'http://sim.test/v1',
        fetch,
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

  it('goes on after Redis restarts empty: nothing journaled is lost or sent again', {
    timeout: 180_000,
  }, async () => {
    // The workers' first 10 calls answer; the rest are held until Redis has been restarted, so the
    // calls in flight at the restart are known exactly (the only ones that may be paid twice).
    const sends = new Map<string, number>();
    let answered = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = 0;
    const gated: typeof simulator.fetch = async (url, init) => {
      const body = JSON.parse(String(init?.body)) as { messages: { content: string }[] };
      const prompt = body.messages.at(-1)!.content;
      sends.set(prompt, (sends.get(prompt) ?? 0) + 1);
      if (answered++ >= 10) {
        held++;
        await released;
      }
      return simulator.fetch(url, init);
    };
    await startWorkers(2, gated);
    const input = await writeInput(40);
    const io = testIO(dir, {});
    const running = runCli(args(input), io);
    const journaled = async () => {
      const text = await readFile(join(dir, 'out.journal.jsonl'), 'utf8').catch(() => '');
      return new Set([...text.matchAll(/"k":"(q\d+)"/g)].map((m) => m[1]!));
    };
    let before = await journaled();
    while (before.size < 10) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      before = await journaled();
    }
    await server.stop();
    await server.start();
    const inFlight = held;
    release();
    expect(await running).toBe(0);
    expect(io.err()).toBe('');
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.custom_id)).toEqual(Array.from({ length: 40 }, (_, i) => `q${i}`));
    expect(out.every((r) => r.error === null)).toBe(true);
    for (const key of before) expect(sends.get(`Item ${key.slice(1)}?`)).toBe(1);
    expect(simulator.stats().successes - 40).toBeLessThanOrEqual(inFlight);
  });
});
