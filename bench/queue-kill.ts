/**
 * Worker kill -9 against `volley run --queue`: 2,000 lines, 4 workers (one process each), five
 * kills with restarts; then the same run with the coordinator killed once and rerun; then with
 * Redis (persistence off) restarted empty once mid-run.
 *
 *   npx tsx bench/queue-kill.ts [--n 2000] [--lock 30000] [--stall 15000] [--only workers|coordinator|redis]
 *
 * Prints the unique lines in the output, duplicate paid calls against the calls that were in
 * flight on the killed workers, and how long each lost call took to be sent again after its kill
 * (against lock duration + stall interval + 1 s). For the Redis restart: duplicates against the
 * calls in hand when Redis went, and how long until the first answer after it came back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../src/queue/test-support/redis-server.js';
import { createSimulator } from '../src/simulator/handler.js';
import { listen } from '../src/simulator/listen.js';
import { arg, type Host, spawnHost } from './queue-support.js';

const N = arg('n', 2000);
const LOCK = arg('lock', 30_000);
const STALL = arg('stall', 15_000);
const redis = await startRedis();
const dir = await mkdtemp(join(tmpdir(), 'volley-kill-'));

type Fault = 'workers' | 'coordinator' | 'redis';

async function trial(fault: Fault) {
  const killCoordinator = fault === 'coordinator';
  const simulator = createSimulator({ models: [], latencyMedianMs: 1500, latencySpread: 0.3 });
  const arrivals = new Map<string, number[]>();
  const server = await listen({
    async handle(request) {
      const body = (await request.clone().json()) as { messages: { content: string }[] };
      const key = body.messages.at(-1)!.content;
      const list = arrivals.get(key) ?? [];
      list.push(performance.now());
      arrivals.set(key, list);
      return simulator.handle(request);
    },
  });
  const input = join(dir, `in-${fault}.jsonl`);
  const out = join(dir, `out-${fault}.jsonl`);
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ custom_id: `k${i}`, prompt: `Line ${i}` }),
  );
  await writeFile(input, `${lines.join('\n')}\n`);
  const url = `${redis.url}?queue=kill-${fault}`;
  const host = () =>
    spawnHost({ redis: url, 'base-url': server.url, workers: 1, concurrency: 16, lock: LOCK, stall: STALL });
  const hosts: Host[] = [host(), host(), host(), host()];
  await Promise.all(hosts.map((h) => h.ready));
  const coordinator = (): ChildProcess =>
    spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', input, '--out', out, '--queue', url, '--sim', '--quiet'],
      {
        stdio: 'ignore',
      },
    );
  let running = coordinator();
  const kills: { at: number; inFlight: number }[] = [];
  let restart: { at: number; inFlight: number; backAt?: number } | undefined;
  const killing = (async () => {
    for (let k = 0; k < 5 && fault === 'workers'; k++) {
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const victim = hosts[k % 4]!;
      kills.push({ at: performance.now(), inFlight: victim.last.inHand });
      victim.child.kill('SIGKILL');
      await victim.exited;
      hosts[k % 4] = host();
      await hosts[k % 4]!.ready;
    }
    if (killCoordinator) {
      await new Promise((resolve) => setTimeout(resolve, 8000));
      running.kill('SIGKILL');
      await new Promise((resolve) => running.once('exit', resolve));
      running = coordinator();
    }
    if (fault === 'redis') {
      await new Promise((resolve) => setTimeout(resolve, 8000));
      restart = { at: performance.now(), inFlight: hosts.reduce((sum, h) => sum + h.last.inHand, 0) };
      await redis.stop();
      await redis.start();
      restart.backAt = performance.now();
    }
  })();
  await killing;
  const code = await new Promise<number | null>((resolve) => running.once('exit', resolve));
  const records = (await readFile(out, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const unique = new Set(records.map((r: { custom_id: string }) => r.custom_id)).size;
  const stats = simulator.stats();
  // A lost call is one sent again after a kill: its second arrival, after the kill before it.
  const recoveries: number[] = [];
  for (const times of arrivals.values()) {
    if (times.length < 2) continue;
    const again = times[1]!;
    const kill = kills.filter((k) => k.at <= again).at(-1);
    if (kill) recoveries.push(again - kill.at);
  }
  const firstAfter = restart?.backAt
    ? Math.min(...[...arrivals.values()].flat().filter((t) => t > restart!.backAt!))
    : undefined;
  const name = {
    workers: 'five worker kills',
    coordinator: 'coordinator killed once',
    redis: 'Redis restarted once',
  };
  console.log(
    JSON.stringify({
      trial: name[fault],
      exit: code,
      records: records.length,
      unique,
      duplicatePaid: stats.duplicateSuccesses,
      inFlightOnKilled: fault === 'workers' ? kills.reduce((s, k) => s + k.inFlight, 0) : 'n/a',
      ...(restart && {
        inHandAtRestart: restart.inFlight,
        redisDownS: Math.round((restart.backAt ?? 0) - restart.at) / 1000,
        firstCallAfterRestartS: firstAfter && Math.round(firstAfter - restart.backAt!) / 1000,
      }),
      resent: recoveries.length,
      maxRecoveryS: recoveries.length ? Math.round(Math.max(...recoveries)) / 1000 : null,
      boundS: (LOCK + STALL + 1000) / 1000,
    }),
  );
  for (const h of hosts) h.child.kill('SIGTERM');
  await Promise.all(hosts.map((h) => h.exited));
  await server.close();
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
try {
  for (const fault of ['workers', 'coordinator', 'redis'] as const)
    if (!only || only === fault) await trial(fault);
} finally {
  await redis.close();
}
