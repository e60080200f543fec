/** `volley sim`: the built-in OpenAI-compatible simulator, served over HTTP until Ctrl-C. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { OptionError } from '../../options/check.js';
import { createSimulator, type Simulator } from '../../simulator/handler.js';
import { listen } from '../../simulator/listen.js';
import type { ResetFormat } from '../../simulator/options.js';
import { durationFlag, numberFlag, parseFlags, UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley sim [options]

Serves an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models, GET /stats), the
Anthropic Messages API (POST /v1/messages) and both Batch APIs, with provider-like rate limits,
latency and faults, for offline runs and tests.

Options:
  --port N              TCP port (default: 8787; 0 picks a free one)
  --host ADDR           interface to bind (default: 127.0.0.1)
  --rpm N, --tpm N      requests / tokens per minute (default: unlimited)
  --burst 1s            burst window the limits allow at once (default: 1s; 1m holds the
                        whole minute); a request larger than the token bucket gets a 429 with
                        x-should-retry: false
  --reset-format F      how x-ratelimit-reset-* is written: duration (1m30.5s, OpenAI's),
                        seconds (90.5) or timestamp (RFC 3339, Anthropic's) (default: duration)
  --fixed-reset 1m30.5s report this as every reset, like a server that names a window's end
  --no-retry-after      429s carry the x-ratelimit-* headers only, no retry-after(-ms)
  --no-limit-headers    send remaining and reset without x-ratelimit-limit-*, as Azure does
  --latency 400ms       median latency (default: 400ms)
  --spread X            lognormal spread of the latency, 0 = fixed (default: 0)
  --ms-per-token N      extra latency per output token (default: 0)
  --output-tokens N     typical answer length in tokens (default: 20)
  --fail-500 P, --fail-503 P, --reset P, --hang P, --malformed P
                        fault rates, each a probability from 0 to 1
  --seed N              seed for answers, latencies and faults (default: 1)
  --require-key-env NAME  answer 401 unless the API key sent equals this variable's value
  --log FILE            one JSON line per request as it arrives: {"at": epoch ms, "method", "path"}

Batch APIs (OpenAI Files + Batches, Anthropic Message Batches):
  --batch-time-scale N  how many times faster than real time batches run: 3600 makes the 24-hour
                        window last 24 s (default: 1)
  --batch-ms-per-line N how long each line of a batch takes, in batch time (default: 1000)
  --batch-fail-500 P    probability that a line fails inside a batch with a 500 nested in its
                        result (every batch draws again: a resubmitted line may pass; default: 0)
  --enqueued-token-limit N   prompt tokens per model that OpenAI batches may hold enqueued;
                        a batch past it fails with token_limit_exceeded (default: none)`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  burst: { type: 'string' },
  'reset-format': { type: 'string' },
  'fixed-reset': { type: 'string' },
  'no-retry-after': { type: 'boolean' },
  'no-limit-headers': { type: 'boolean' },
  latency: { type: 'string' },
  spread: { type: 'string' },
  'ms-per-token': { type: 'string' },
  'output-tokens': { type: 'string' },
  'fail-500': { type: 'string' },
  'fail-503': { type: 'string' },
  reset: { type: 'string' },
  hang: { type: 'string' },
  malformed: { type: 'string' },
  seed: { type: 'string' },
  'require-key-env': { type: 'string' },
  log: { type: 'string' },
  'batch-time-scale': { type: 'string' },
  'batch-ms-per-line': { type: 'string' },
  'enqueued-token-limit': { type: 'string' },
  'batch-fail-500': { type: 'string' },
} as const;

export const sim: Command = {
  name: 'sim',
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, options, usage);
    const keyEnv = values['require-key-env'];
    const simulator = createSimulator({
      rpm: numberFlag('rpm', values.rpm),
      tpm: numberFlag('tpm', values.tpm),
      burstWindowMs: durationFlag('burst', values.burst) ?? 1000,
      resetFormat: resetFormat(values['reset-format']),
      fixedResetMs: durationFlag('fixed-reset', values['fixed-reset']),
      retryAfter: values['no-retry-after'] !== true,
      limitHeaders: values['no-limit-headers'] !== true,
      latencyMedianMs: durationFlag('latency', values.latency) ?? 400,
      latencySpread: rate('spread', values.spread, 10),
      msPerOutputToken: rate('ms-per-token', values['ms-per-token'], 10_000),
      outputTokens: numberFlag('output-tokens', values['output-tokens'], { integer: true }) ?? 20,
      seed: rate('seed', values.seed, Number.MAX_SAFE_INTEGER) || 1,
      faults: {
        serverError: rate('fail-500', values['fail-500']),
        unavailable: rate('fail-503', values['fail-503']),
        reset: rate('reset', values.reset),
        hang: rate('hang', values.hang),
        malformed: rate('malformed', values.malformed),
      },
      apiKey: keyEnv ? requiredEnv(io.env, keyEnv) : undefined,
      models: [],
      batches: {
        timeScale: numberFlag('batch-time-scale', values['batch-time-scale']) ?? 1,
        msPerLine: numberFlag('batch-ms-per-line', values['batch-ms-per-line']) ?? 1000,
        enqueuedTokenLimit: numberFlag('enqueued-token-limit', values['enqueued-token-limit'], {
          integer: true,
        }),
        faults: { lines: [{ rate: rate('batch-fail-500', values['batch-fail-500']), kind: 'server_error' }] },
      },
    });
    const port = values.port === undefined ? 8787 : whole('port', values.port, 65_535);
    const log = values.log === undefined ? undefined : openSync(resolve(io.cwd, values.log), 'a');
    const served = log === undefined ? simulator : logArrivals(simulator, log);
    const server = await listen(served, { port, host: values.host ?? '127.0.0.1' });
    io.stdout.write(`volley sim listening on ${server.url}\n`);
    io.stdout.write(`  OPENAI_BASE_URL=${server.url} OPENAI_API_KEY=anything volley run ...\n`);
    io.stdout.write(
      `  ANTHROPIC_BASE_URL=${server.url.replace(/\/v1$/, '')} ANTHROPIC_API_KEY=anything volley run --provider anthropic ...\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    if (log !== undefined) closeSync(log);
    io.stdout.write(`${JSON.stringify(simulator.stats())}\n`);
    return EXIT.ok;
  },
};

/**
 * Notes each request's arrival before the simulator sees it, with the wall clock, so that another
 * process's start can be compared with it (how long `volley run` takes to send its first request).
 * Written synchronously: the line is in the file before the answer leaves.
 */
function logArrivals(simulator: Pick<Simulator, 'handle'>, fd: number): Pick<Simulator, 'handle'> {
  return {
    handle(request) {
      const at = performance.timeOrigin + performance.now();
      const { pathname } = new URL(request.url);
      const arrival = { at: Math.round(at * 1000) / 1000, method: request.method, path: pathname };
      writeSync(fd, `${JSON.stringify(arrival)}\n`);
      return simulator.handle(request);
    },
  };
}

const RESET_FORMATS: readonly ResetFormat[] = ['duration', 'seconds', 'timestamp'];

function resetFormat(value: string | undefined): ResetFormat {
  if (value === undefined) return 'duration';
  const format = RESET_FORMATS.find((f) => f === value);
  if (format === undefined)
    throw new OptionError(`--reset-format takes one of ${RESET_FORMATS.join(', ')}, got '${value}'.`);
  return format;
}

/** A number from 0 to `max` (a probability by default); 0 when absent. */
function rate(name: string, value: string | undefined, max = 1): number {
  if (value === undefined) return 0;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number < 0 || number > max)
    throw new OptionError(`--${name} takes a number from 0 to ${max}, got '${value}'.`);
  return number;
}

function whole(name: string, value: string, max: number): number {
  const number = rate(name, value, max);
  if (!Number.isInteger(number)) throw new OptionError(`--${name} takes a whole number, got '${value}'.`);
  return number;
}

function requiredEnv(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`--require-key-env ${name}: that variable is not set.`);
  return value;
}
