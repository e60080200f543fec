/**
 * Scale-out: calls per second of 1, 2 and 4 worker processes when the limit is high and the
 * server fast (the workers' CPU is what limits), 2,000 queued calls each.
 *
 * The server is `canned-server.ts` in a process of its own: one fixed chat.completion (with usage
 * and rate-limit headers far above the load) written as a prebuilt buffer, the nearest this machine
 * can come to a fast server on another one. The simulator would be honest about limits but not
 * about speed: it spent 0.9 ms of CPU per call on the same 2 cores, close to a worker's 1.3, so the
 * figure measured the simulator and a worker sharing the cores rather than the workers. The
 * workers still do all of a real call: the SDK's request and parsing, both limiter scripts with
 * the headers read, and BullMQ's fetch, lock and completion.
 *
 * Each host first answers `--warm` calls per process, untimed: a worker is a long-lived process,
 * and a fresh one's CPU per call keeps falling over its first thousands of calls as V8 optimises
 * the hot path (one process: 2.3 ms cold over 1,000 calls, 1.07 after 1,000, 0.75 after 3,000).
 * Measured cold, 4 processes sharing 1,000 calls stay cold for the whole run, and the figure falls
 * with more workers for that reason alone.
 *
 * Beside calls/s it prints the CPU each process spent per call of the timed run (from /proc and
 * Redis `INFO cpu`), and the share of the run each process's main thread was ready to run but
 * waiting for a core (/proc/PID/schedstat). Server, coordinator, Redis and workers still share this
 * machine's cores: the sum of the CPU-per-call column, divided into the 2 cores' 2,000 ms a second,
 * is the most calls/s the machine can give, whatever the worker count; once workers wait for a core
 * for most of the run, more of them cannot add throughput here, only on more cores.
 *
 *   npx tsx bench/queue-scale.ts [--n 2000] [--warm 1000] [--nice 10]
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { openCallQueue } from '../src/queue/call-queue.js';
import { redisTarget } from '../src/queue/redis-url.js';
import { startRedis } from '../src/queue/test-support/redis-server.js';
import { arg, callJobs, spawnHost } from './queue-support.js';
import { spawnListening } from './sim-process.js';

const N = arg('n', 2000);
const WARM = arg('warm', 1000);
// The server stands for one on its own machine, and Redis is what the workers share: the workers
// run at a lower priority so that these two are served first and the workers get what is left.
const NICE = arg('nice', 10);
const redis = await startRedis();
const admin = new Redis(redis.url);
try {
  for (const processes of [1, 2, 4]) {
    const url = `${redis.url}?queue=scale${processes}`;
    // At the bench's own priority, above the workers'.
    const server = await spawnListening(['--import', 'tsx', 'bench/canned-server.ts'], 'inherit');
    const hosts = Array.from({ length: processes }, () =>
      spawnHost({ redis: url, 'base-url': server.url, workers: 1, concurrency: 32 }, NICE),
    );
    await Promise.all(hosts.map((h) => h.ready));
    const queue = await openCallQueue(redisTarget(url));
    let done = 0;
    let target = 0;
    let reached = () => {};
    queue.onCompleted(() => {
      if (++done === target) reached();
    });
    const answer = (run: string, n: number) => {
      target = done + n;
      const all = new Promise<void>((resolve) => {
        reached = resolve;
      });
      return queue.add(callJobs(run, n, (i) => `Quick ${i}`)).then(() => all);
    };
    await answer(`warm${processes}`, WARM * processes);

    const pids = [...hosts.map((h) => h.child.pid!), process.pid, await redisPid(), server.pid];
    const cpu0 = process.cpuUsage();
    const hostCpu0 = hosts.map((h) => cpuMs(h.child.pid!));
    const redisCpu0 = await redisCpuMs();
    const serverCpu0 = cpuMs(server.pid);
    const waited0 = pids.map(waitedMs);
    const started = performance.now();
    await answer(`scale${processes}`, N);
    const ms = performance.now() - started;
    const own = process.cpuUsage(cpu0);
    const hostCpu = hosts.map((h, i) => cpuMs(h.child.pid!) - hostCpu0[i]!);
    const redisCpu = (await redisCpuMs()) - redisCpu0;
    const serverCpu = cpuMs(server.pid) - serverCpu0;
    const workersCpu = hostCpu.reduce((a, b) => a + b, 0);
    const coordinatorCpu = (own.user + own.system) / 1000;
    const waited = pids.map((pid, i) => Math.round(((waitedMs(pid) - waited0[i]!) / ms) * 100));
    const perCall = (cpu: number) => Math.round((cpu / N) * 100) / 100;
    const allCpu = workersCpu + coordinatorCpu + redisCpu + serverCpu;
    console.log(
      JSON.stringify({
        workers: processes,
        calls: N,
        seconds: Math.round(ms / 100) / 10,
        perSecond: Math.round((N * 1000) / ms),
        // The calls/s this machine's cores would give if every process used them fully at these
        // CPU costs per call: what no worker count can exceed here.
        coresAllow: Math.round((availableParallelism() * 1000 * N) / allCpu),
        cpuMsPerCall: {
          // Each worker process's CPU over the timed run, divided by all calls: they add up.
          workers: perCall(workersCpu),
          perWorker: hostCpu.map(perCall),
          coordinator: perCall(coordinatorCpu),
          redis: perCall(redisCpu),
          server: perCall(serverCpu),
        },
        waitingForCpuPercent: {
          perWorker: waited.slice(0, processes),
          coordinator: waited[processes],
          redis: waited[processes + 1],
          server: waited[processes + 2],
        },
      }),
    );
    for (const h of hosts) h.child.kill('SIGTERM');
    await Promise.all(hosts.map((h) => h.exited));
    await queue.close();
    await server.close();
  }
} finally {
  admin.disconnect();
  await redis.close();
}

/** User + system CPU of a process so far (ms), from /proc/PID/stat (fields 14 and 15, in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Time the main thread of a process has spent ready to run but waiting for a core (ms). */
function waitedMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

async function redisPid(): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
}

/** The redis-server's own CPU so far (ms), as it reports it. */
async function redisCpuMs(): Promise<number> {
  const info = await admin.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}
