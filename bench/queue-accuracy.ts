/**
 * How exactly workers on several processes share one token limit through the Redis limiter.
 * Against the simulator enforcing an exact tokens-per-minute limit (answers ±30% around their
 * typical length, so every estimate is off), 1, 4 and 16 workers (4 and 16 over two processes)
 * answer 3,000 queued calls; then 4 workers meet a limit halved mid-run.
 *
 *   npx tsx bench/queue-accuracy.ts [--n 3000] [--tpm 180000] [--output 400] [--only 1|4|16|halve] [--timeline]
 *
 * Prints per configuration: 429s per request, the busiest 60 s window against the limit, and
 * throughput against the ceiling; for the halving, when the shared limit followed and the 429s after.
 */
import { Redis } from 'ioredis';
import { openCallQueue } from '../src/queue/call-queue.js';
import { redisTarget } from '../src/queue/redis-url.js';
import { busiestWindow } from '../src/queue/test-support/limit-harness.js';
import { startRedis } from '../src/queue/test-support/redis-server.js';
import { arg, callJobs, loggingSimulator, spawnHost } from './queue-support.js';

const N = arg('n', 3000);
const TPM = arg('tpm', 180_000);
// Long answers keep the request rate (and the CPU the benches need) low on a shared machine.
const OUTPUT = arg('output', 400);
const redisServer = await startRedis();
const target = redisTarget(redisServer.url);
const admin = new Redis(redisServer.url);

async function scenario(name: string, processes: number, perProcess: number, halveAt?: number) {
  await admin.flushall();
  const { simulator, server, admissions } = await loggingSimulator({
    tpm: TPM,
    burstWindowMs: 1000,
    latencyMedianMs: 1000,
    latencySpread: 0.3,
    outputTokens: OUTPUT,
    outputTokensSpread: 0.3,
  });
  const concurrency = Math.max(8, Math.ceil(64 / (processes * perProcess)));
  const hosts = Array.from({ length: processes }, () =>
    spawnHost({ redis: redisServer.url, 'base-url': server.url, workers: perProcess, concurrency }),
  );
  await Promise.all(hosts.map((h) => h.ready));
  const queue = await openCallQueue(target);
  const jobs = callJobs(name, N, (i) => `Write a short note about item number ${i}.`);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    queue.onCompleted(() => {
      if (++done === N) resolve();
    });
  });
  const started = performance.now();
  let halvedAt: number | undefined;
  let followedMs: number | undefined;
  let limitedBefore = 0;
  if (halveAt !== undefined) {
    setTimeout(() => {
      halvedAt = performance.now();
      limitedBefore = simulator.stats().rateLimited;
      simulator.setLimits({ tpm: TPM / 2 });
      const poll = setInterval(async () => {
        const keys = await admin.keys('volley:limiter:*');
        const lt = keys[0] ? Number(await admin.hget(keys[0], 'lt')) : 0;
        if (lt === TPM / 2 && followedMs === undefined) {
          followedMs = performance.now() - halvedAt!;
          clearInterval(poll);
        }
      }, 20);
    }, halveAt);
  }
  const states: string[] = [];
  const watch = process.argv.includes('--timeline')
    ? setInterval(async () => {
        const keys = await admin.keys('volley:limiter:*');
        if (!keys[0]) return;
        const h = await admin.hgetall(keys[0]);
        const f = (k: string) => (h[k] === undefined ? '-' : Number(h[k]).toFixed(2));
        states.push(
          `em=${f('em')} ed=${f('ed')} t=${f('t')} hd=${f('hd')} ct=${f('ct')} p=${h['p'] ? 'y' : 'n'}`,
        );
      }, 2000)
    : undefined;
  await queue.add(jobs);
  await finished;
  if (watch) clearInterval(watch);
  if (states.length) console.log(states.join('\n'));
  const makespan = performance.now() - started;
  const stats = simulator.stats();
  const tokens = admissions.reduce((sum, a) => sum + a.tokens, 0);
  const line: Record<string, unknown> = {
    scenario: name,
    workers: processes * perProcess,
    processes,
    requests: stats.requests,
    answered: stats.successes,
    '429s': stats.rateLimited,
    '429 share': round(stats.rateLimited / N, 4),
    'makespan s': round(makespan / 1000, 1),
  };
  if (halvedAt === undefined) {
    line['max 60 s window / limit'] = round(busiestWindow(admissions, 60_000) / TPM, 3);
    // Ceiling: the first second's burst, then the limit per minute.
    const ceiling = TPM / 60 + (TPM * (makespan - 1000)) / 60_000;
    line['throughput / ceiling'] = round(tokens / ceiling, 3);
  } else {
    const after = admissions.filter((a) => a.at >= halvedAt! + (followedMs ?? 0));
    line['shared limit followed after ms'] = followedMs === undefined ? 'never' : Math.round(followedMs);
    line['429s after halving'] = stats.rateLimited - limitedBefore;
    line['max 60 s window after / new limit'] = round(busiestWindow(after, 60_000) / (TPM / 2), 3);
    line['429s per host'] = hosts.map((h) => h.last.rateLimited).join(' ');
  }
  if (process.argv.includes('--timeline')) {
    const buckets = new Map<number, number>();
    for (const a of admissions) {
      const slot = Math.floor((a.at - started) / 2000);
      buckets.set(slot, (buckets.get(slot) ?? 0) + a.tokens);
    }
    const rates = [...buckets].sort((a, b) => a[0] - b[0]).map(([, t]) => Math.round((t * 30) / 1000));
    console.log(`tokens/min (thousands) per 2 s: ${rates.join(' ')}`);
  }
  console.log(JSON.stringify(line));
  for (const host of hosts) host.child.kill('SIGTERM');
  await Promise.all(hosts.map((h) => h.exited));
  await queue.close();
  await server.close();
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

try {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (!only || only === '1') await scenario('w1', 1, 1);
  if (!only || only === '4') await scenario('w4', 2, 2);
  if (!only || only === '16') await scenario('w16', 2, 8);
  if (!only || only === 'halve') await scenario('halve', 2, 2, 120_000);
} finally {
  admin.disconnect();
  await redisServer.close();
}
