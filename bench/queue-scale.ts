/**
 * Scale-out: calls per second of 1, 2 and 4 worker processes when the limit is high and the
 * server fast (the workers' CPU is what limits), 2,000 queued calls each.
 *
 *   npx tsx bench/queue-scale.ts [--n 2000]
 */
import { openCallQueue } from '../src/queue/call-queue.js';
import { redisTarget } from '../src/queue/redis-url.js';
import { startRedis } from '../src/queue/test-support/redis-server.js';
import { arg, callJobs, loggingSimulator, spawnHost } from './queue-support.js';

const N = arg('n', 2000);
const redis = await startRedis();
try {
  for (const processes of [1, 2, 4]) {
    const url = `${redis.url}?queue=scale${processes}`;
    const { server } = await loggingSimulator({ rpm: 1_000_000, tpm: 100_000_000, latencyMedianMs: 0 });
    const hosts = Array.from({ length: processes }, () =>
      spawnHost({ redis: url, 'base-url': server.url, workers: 1, concurrency: 32 }),
    );
    await Promise.all(hosts.map((h) => h.ready));
    const queue = await openCallQueue(redisTarget(url));
    let done = 0;
    const finished = new Promise<void>((resolve) =>
      queue.onCompleted(() => {
        if (++done === N) resolve();
      }),
    );
    const started = performance.now();
    await queue.add(callJobs(`scale${processes}`, N, (i) => `Quick ${i}`));
    await finished;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        workers: processes,
        calls: N,
        seconds: Math.round(seconds * 10) / 10,
        perSecond: Math.round(N / seconds),
      }),
    );
    for (const h of hosts) h.child.kill('SIGTERM');
    await Promise.all(hosts.map((h) => h.exited));
    await queue.close();
    await server.close();
  }
} finally {
  await redis.close();
}
