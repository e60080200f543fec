/**
 * One process hosting several Volley workers (each with its own client and lane, as separate
 * `volley worker` processes would have), for the queue benches. Prints `ready` once they take jobs,
 * then `stats {...}` lines every second (what it answered, and its own view of 429s).
 *
 *   tsx bench/queue-worker-host.ts --redis URL --base-url SIM --workers N --concurrency C [--lock 30000 --stall 15000]
 */
import { parseArgs } from 'node:util';
import { Volley } from '../src/client/volley.js';
import { openai } from '../src/providers/index.js';
import { connectLimiterRedis } from '../src/queue/connect.js';
import { redisTarget } from '../src/queue/redis-url.js';
import { type QueueWorker, startWorker } from '../src/queue/worker.js';
import { sharedLimitClient } from '../src/queue/worker-client.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    'base-url': { type: 'string' },
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
    lock: { type: 'string' },
    stall: { type: 'string' },
    'queue-name': { type: 'string' },
  },
});
const target = redisTarget(values.redis!);
const concurrency = Number(values.concurrency);
const workers: QueueWorker[] = [];
let rateLimited = 0;
for (let i = 0; i < Number(values.workers); i++) {
  const redis = await connectLimiterRedis(target);
  const base = new Volley({
    provider: openai({ apiKey: 'bench-key', baseURL: values['base-url'], env: {} }),
  });
  const volley = sharedLimitClient(base, { redis, concurrency });
  volley.on('rate-limited', () => rateLimited++);
  workers.push(
    await startWorker({
      target,
      volley,
      concurrency,
      queueName: values['queue-name'],
      lockDurationMs: values.lock ? Number(values.lock) : undefined,
      stallIntervalMs: values.stall ? Number(values.stall) : undefined,
    }),
  );
}
process.stdout.write('ready\n');
const report = () => {
  const answered = workers.reduce((sum, w) => sum + w.counts.answered, 0);
  const inHand = workers.reduce((sum, w) => sum + w.counts.inHand, 0);
  process.stdout.write(`stats ${JSON.stringify({ pid: process.pid, answered, inHand, rateLimited })}\n`);
};
setInterval(report, 200).unref();
process.on('SIGTERM', () => {
  report();
  void Promise.all(workers.map((w) => w.close(true))).then(() => process.exit(0));
});
