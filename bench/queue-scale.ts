/**
 * Scale-out: calls per second of 1, 2 and 4 worker processes when the limit is high and the
 * server fast (the workers' CPU is what limits), 2,000 queued calls each. Beside calls/s it prints
 * the CPU the worker processes and this one (simulator and coordinator) spent per call, from
 * /proc, so that a figure taken on a loaded machine can be told from a slow path.
 *
 *   npx tsx bench/queue-scale.ts [--n 2000]
 */
import { readFileSync } from 'node:fs';
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
    const cpu0 = process.cpuUsage();
    const hostCpu0 = hosts.map((h) => cpuMs(h.child.pid!));
    const started = performance.now();
    await queue.add(callJobs(`scale${processes}`, N, (i) => `Quick ${i}`));
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const own = process.cpuUsage(cpu0);
    const workerCpu = hosts.reduce((sum, h, i) => sum + cpuMs(h.child.pid!) - hostCpu0[i]!, 0);
    console.log(
      JSON.stringify({
        workers: processes,
        calls: N,
        seconds: Math.round(seconds * 10) / 10,
        perSecond: Math.round(N / seconds),
        workerCpuMsPerCall: Math.round((workerCpu / N) * 100) / 100,
        simAndCoordinatorCpuMsPerCall: Math.round(((own.user + own.system) / 1000 / N) * 100) / 100,
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

/** User + system CPU of a process so far (ms), from /proc/PID/stat (fields 14 and 15, in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
