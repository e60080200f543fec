/**
 * Workers and the coordinator's queue against a real redis-server and the in-process simulator.
 * These are real-time tests: they assert only what cannot vary with the machine's speed (every
 * job answered once, by whom, what Redis holds), never how long anything took.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { tokenizerLoaded } from '../tokens/count.js';
import { type CallQueue, openCallQueue } from './call-queue.js';
import { type CallJobData, type CallJobResult, callJobId } from './protocol.js';
import { redisTarget } from './redis-url.js';
import { describeWithRedis, type RedisServer, startRedis } from './test-support/redis-server.js';
import { type QueueWorker, startWorker } from './worker.js';

const SENTINEL = 'sk-SENTINEL-queue-key-0123456789abcdef';

let server: RedisServer;
let queue: CallQueue;
let workers: QueueWorker[] = [];
let queueName: string;
let serial = 0;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  workers = [];
  await queue?.close();
});

async function setUp(): Promise<void> {
  queueName = `q${++serial}`;
  queue = await openCallQueue(redisTarget(server.url), queueName);
}

async function worker(simulator: ReturnType<typeof createSimulator>, apiKey: string): Promise<QueueWorker> {
  const volley = new Volley({
    provider: openai({ apiKey, baseURL: 'http://sim.test/v1', fetch: simulator.fetch, env: {} }),
    model: 'gpt-4o-mini',
  });
  const started = await startWorker({ target: redisTarget(server.url), volley, queueName, concurrency: 4 });
  workers.push(started);
  return started;
}

function jobs(run: string, n: number): { id: string; data: CallJobData }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: callJobId(run, `hash${i}`, `line-${i + 1}`),
    data: { v: 1, run, key: `line-${i + 1}`, request: { prompt: `${run}: item ${i}`, model: 'gpt-4o-mini' } },
  }));
}

/** Resolves with every id's result once all have completed (events, then a lookup for the early ones). */
function results(ids: readonly string[]): Promise<Map<string, CallJobResult>> {
  const got = new Map<string, CallJobResult>();
  return new Promise((resolve) => {
    const check = () => {
      if (ids.every((id) => got.has(id))) resolve(got);
    };
    queue.onCompleted((id, result) => {
      if (ids.includes(id)) got.set(id, result);
      check();
    });
    void queue.lookup(ids).then((found) => {
      for (const [id, entry] of found) if (entry.state === 'completed') got.set(id, entry.result);
      check();
    });
  });
}

describeWithRedis('queue workers', () => {
  it('answers the jobs of two runs sharing one queue and one set of workers, each once', async () => {
    await setUp();
    const simulator = createSimulator({ latencyMedianMs: 5, models: [] });
    await Promise.all([worker(simulator, 'k1'), worker(simulator, 'k2')]);
    const [a, b] = [jobs('runA', 10), jobs('runB', 10)];
    await Promise.all([queue.add(a), queue.add(b)]);
    await queue.add(a.slice(0, 3)); // adding again is harmless
    const answered = await results([...a, ...b].map((j) => j.id));
    expect([...answered.values()].every((r) => r.ok)).toBe(true);
    const texts = [...answered.values()].map((r) => (r.ok ? r.result.text : ''));
    expect(new Set(texts).size).toBe(20);
    expect(simulator.stats().successes).toBe(20);
    expect(simulator.stats().duplicateSuccesses).toBe(0);
  });

  it('takes no job until its provider can send (its SDK loaded)', async () => {
    await setUp();
    const simulator = createSimulator({ latencyMedianMs: 1, models: [] });
    const provider = openai({ apiKey: 'k', baseURL: 'http://sim.test/v1', fetch: simulator.fetch, env: {} });
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const slow = Object.create(provider, {
      ready: { value: () => ready },
      send: { value: provider.send.bind(provider) },
    });
    const volley = new Volley({ provider: slow });
    await queue.add(jobs('slow-sdk', 2));
    const starting = startWorker({ target: redisTarget(server.url), volley, queueName, concurrency: 4 });
    // Redis answers a few round trips meanwhile: a worker that had started would have taken both.
    for (let i = 0; i < 5; i++) await queue.counts();
    expect(await queue.counts()).toMatchObject({ waiting: 2, active: 0 });
    loaded();
    workers.push(await starting);
    // Every job's prompt is counted for the shared limiter: the tables are in before the first job.
    expect(tokenizerLoaded()).toBe(true);
    const done = await results(jobs('slow-sdk', 2).map((j) => j.id));
    expect([...done.values()].every((r) => r.ok)).toBe(true);
  });

  it('never puts the API key in Redis', async () => {
    await setUp();
    const simulator = createSimulator({ latencyMedianMs: 1, models: [], apiKey: SENTINEL });
    await worker(simulator, SENTINEL);
    const batch = jobs('runS', 5);
    await queue.add(batch);
    await results(batch.map((j) => j.id));
    const redis = new Redis(server.url);
    try {
      const everything: string[] = [];
      for (const key of await redis.keys('*')) {
        const type = await redis.type(key);
        if (type === 'string') everything.push((await redis.get(key)) ?? '');
        if (type === 'hash') everything.push(JSON.stringify(await redis.hgetall(key)));
        if (type === 'list') everything.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        if (type === 'zset') everything.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        if (type === 'set') everything.push(JSON.stringify(await redis.smembers(key)));
        if (type === 'stream') everything.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      expect(everything.join('\n')).toContain('runS'); // the dump does hold the jobs
      expect(everything.join('\n')).not.toContain(SENTINEL);
      expect(everything.join('\n')).not.toContain(SENTINEL.slice(3, 20));
    } finally {
      redis.disconnect();
    }
  });

  it('stops a worker whose key is rejected and leaves its jobs for a healthy one', async () => {
    await setUp();
    const simulator = createSimulator({ latencyMedianMs: 1, models: [], apiKey: 'good-key' });
    const bad = await worker(simulator, 'bad-key');
    const batch = jobs('runK', 6);
    await queue.add(batch);
    const end = await bad.stopped;
    expect(end).toMatchObject({ reason: 'rejected', error: { code: 'authentication' } });
    expect(bad.counts.answered + bad.counts.failed).toBe(0);
    const left = await queue.lookup(batch.map((j) => j.id));
    expect([...left.values()].every((entry) => entry.state === 'pending')).toBe(true);
    await worker(simulator, 'good-key');
    const answered = await results(batch.map((j) => j.id));
    expect([...answered.values()].every((r) => r.ok)).toBe(true);
  });

  it('returns a call that failed for the job itself as an error result', async () => {
    await setUp();
    const simulator = createSimulator({ latencyMedianMs: 1, models: [], contextWindow: 50 });
    await worker(simulator, 'k');
    const big = {
      id: callJobId('runE', 'hash', 'big'),
      data: { v: 1, run: 'runE', key: 'big', request: { prompt: 'word '.repeat(200), model: 'gpt-4o-mini' } },
    } as const;
    await queue.add([big]);
    const answered = await results([big.id]);
    expect(answered.get(big.id)).toMatchObject({ ok: false, error: { code: 'context_length_exceeded' } });
  });
});
