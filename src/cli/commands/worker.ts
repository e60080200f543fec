/** `volley worker --queue redis://...`: answers the call jobs that coordinators put on the queue. */
import { durationFlag, numberFlag, parseFlags, UsageError } from '../args.js';
import {
  type ClientFlagValues,
  clientFlagOptions,
  clientFlagsUsage,
  clientFromFlags,
} from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley worker --queue redis://HOST:PORT [options]

Takes the call jobs that 'volley run --queue' and 'volley flow --queue' put on a Redis queue,
sends each with this machine's own API key (from its own environment: keys never pass through
Redis), and hands the answers back. Start as many workers as you like, on any hosts: they share
one rate limit per organisation and model, kept in Redis, and several runs can share them.

Queue:
  --queue URL           the Redis to take jobs from (required)
  --queue-name NAME     the BullMQ queue (default: the URL's ?queue=NAME, else volley)
  --concurrency N       jobs taken at once (default: 32)
  --org NAME            names the organisation when several keys share its limits
                        (default: the server and the key's fingerprint)
  --lock-duration 30s   a job whose worker stopped renewing its lock this long goes back
  --stall-interval 15s  how often workers look for such jobs

${clientFlagsUsage}

Exit codes: 0 stopped (Ctrl-C), 2 bad usage or Redis unreachable, 3 the provider rejected this
worker's key (its jobs stay in the queue for healthy workers).`;

const options = {
  ...clientFlagOptions,
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  org: { type: 'string' },
  'lock-duration': { type: 'string' },
  'stall-interval': { type: 'string' },
} as const;

export const worker: Command = {
  name: 'worker',
  summary: 'answer the calls that runs with --queue put on Redis, sharing one rate limit',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'.\n\n${usage}`);
    if (values.queue === undefined) throw new UsageError(`--queue is required.\n\n${usage}`);
    const concurrency = numberFlag('concurrency', values.concurrency, { integer: true }) ?? 32;
    const lockDurationMs = durationFlag('lock-duration', values['lock-duration']);
    const stallIntervalMs = durationFlag('stall-interval', values['stall-interval']);
    const [{ redisTarget }, { connectLimiterRedis }, { sharedLimitClient }, { startWorker }] =
      await Promise.all([
        import('../../queue/redis-url.js'),
        import('../../queue/connect.js'),
        import('../../queue/worker-client.js'),
        import('../../queue/worker.js'),
      ]);
    const target = redisTarget(values.queue);
    const redis = await connectLimiterRedis(target);
    const clientFlags = Object.fromEntries(
      Object.keys(clientFlagOptions).map((k) => [k, values[k as keyof typeof values]]),
    ) as ClientFlagValues;
    const client = await clientFromFlags(clientFlags, io);
    try {
      const volley = sharedLimitClient(client.volley, { redis, concurrency, org: values.org });
      const queueName = values['queue-name'];
      const running = await startWorker({
        target,
        volley,
        concurrency,
        queueName,
        lockDurationMs,
        stallIntervalMs,
      });
      const quiet = values.quiet === true;
      if (!quiet) {
        io.stderr.write(
          `volley worker: taking up to ${concurrency} jobs at a time from ${target.shown} ` +
            `(queue ${queueName ?? target.queueName}); calls go to ${client.description}.\n`,
        );
      }
      io.signal.addEventListener('abort', () => {
        if (!quiet) io.stderr.write('volley worker: stopping; the calls in hand finish first.\n');
        void running.close(false);
      });
      io.hardSignal?.addEventListener('abort', () => void running.close(true));
      const end = await running.stopped;
      const { answered, failed, putBack } = running.counts;
      if (end.reason === 'rejected') {
        io.stderr.write(
          `volley worker: the provider rejected this worker's key (${end.error.code}): ${end.error.message}\n` +
            'This worker stopped taking jobs; they stay in the queue for healthy workers. ' +
            `Fix the key in this worker's environment and start it again.\n`,
        );
        return EXIT.fatal;
      }
      if (!quiet) {
        io.stderr.write(
          `volley worker stopped: ${answered} answered, ${failed} failed, ${putBack} put back.\n`,
        );
      }
      return EXIT.ok;
    } finally {
      redis.disconnect();
      await client.close();
    }
  },
};
