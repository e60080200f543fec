/**
 * The flags every command that makes calls shares (model, server, limits, retries, timeouts), and
 * the client they build: an OpenAI-compatible server, or the built-in simulator over real HTTP when
 * asked with `--sim` or when no API key is configured. Values come from flags, then a JSON config
 * file (`--config`), then the environment.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/openai.js';
import { createSimulator } from '../simulator/handler.js';
import { listen } from '../simulator/listen.js';
import { durationFlag, numberFlag, UsageError } from './args.js';
import type { CliIO } from './io.js';

export const clientFlagOptions = {
  model: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  deadline: { type: 'string' },
  'max-attempts': { type: 'string' },
  config: { type: 'string' },
  sim: { type: 'boolean' },
  'sim-rpm': { type: 'string' },
  'sim-tpm': { type: 'string' },
  'sim-latency': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const clientFlagsUsage = `Provider and limits:
  --model NAME          model for lines that name none (default: gpt-4o-mini)
  --base-url URL        OpenAI-compatible server (default: env OPENAI_BASE_URL, else OpenAI)
  --api-key-env NAME    environment variable holding the API key (default: OPENAI_API_KEY)
  --rpm N, --tpm N      requests / tokens per minute (default: learned from the server's headers)
  --concurrency N       fixed cap on calls in flight (default: adaptive)
  --timeout 30s         per-attempt timeout (default: 60s)
  --deadline 10m        time budget per item, retries included (default: none)
  --max-attempts N      attempts per item, the first included (default: 6)
  --config FILE         JSON file with any of these flags as keys (flags win)
  --sim                 use the built-in simulator (the default when no API key is set)
  --sim-rpm N, --sim-tpm N, --sim-latency 400ms   the simulator's limits and median latency
  --quiet, -q           no progress output`;

export type ClientFlagValues = {
  [K in keyof typeof clientFlagOptions]?: (typeof clientFlagOptions)[K] extends { type: 'boolean' }
    ? boolean
    : string;
};

export interface CliClient {
  readonly volley: Volley;
  /** Where calls go, for the user: a URL without credentials, or the simulator. */
  readonly description: string;
  readonly model: string;
  /** Present when the calls go to the built-in simulator. */
  readonly simulator?: { readonly url: string; stats(): unknown };
  close(): Promise<void>;
}

export async function clientFromFlags(flags: ClientFlagValues, io: CliIO): Promise<CliClient> {
  const values = { ...(await readConfig(flags.config, io.cwd)), ...definedOnly(flags) };
  const keyEnv = values['api-key-env'] ?? 'OPENAI_API_KEY';
  const apiKey = io.env[keyEnv];
  const baseURL = values['base-url'] ?? io.env['OPENAI_BASE_URL'];
  const model = values.model ?? io.env['VOLLEY_MODEL'] ?? 'gpt-4o-mini';
  const limits = {
    rpm: numberFlag('rpm', values.rpm),
    tpm: numberFlag('tpm', values.tpm),
    concurrency: numberFlag('concurrency', values.concurrency, { integer: true }),
  };
  const options = {
    model,
    limits,
    timeout: durationFlag('timeout', values.timeout),
    deadline: durationFlag('deadline', values.deadline),
    retry: { maxAttempts: numberFlag('max-attempts', values['max-attempts'], { integer: true }) },
    signal: undefined,
  };

  const useSim = values.sim === true || (!apiKey && !baseURL);
  if (!useSim) {
    const provider = openai({ apiKey, baseURL, defaultModel: model, env: io.env });
    const where = baseURL ? safeURL(baseURL) : 'OpenAI';
    return { volley: new Volley({ provider, ...options }), description: where, model, close: async () => {} };
  }

  if (values.sim !== true && !values.quiet) {
    io.stderr.write(
      `No ${keyEnv} or --base-url set: using the built-in simulator (pass --sim to say so, or set ${keyEnv}).\n`,
    );
  }
  const simulator = createSimulator({
    rpm: numberFlag('sim-rpm', values['sim-rpm']) ?? 3000,
    tpm: numberFlag('sim-tpm', values['sim-tpm']) ?? 2_000_000,
    latencyMedianMs: durationFlag('sim-latency', values['sim-latency']) ?? 400,
    latencySpread: 0.3,
    models: [],
  });
  const server = await listen(simulator);
  const provider = openai({ apiKey: 'sim', baseURL: server.url, defaultModel: model, env: {} });
  return {
    volley: new Volley({ provider, ...options }),
    description: `the built-in simulator at ${server.url}`,
    model,
    simulator: { url: server.url, stats: () => simulator.stats() },
    close: () => server.close(),
  };
}

async function readConfig(path: string | undefined, cwd: string): Promise<ClientFlagValues> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(resolve(cwd, path), 'utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`The config file ${path} must hold a JSON object of flag names to values.`);
  }
  const config: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const spec = clientFlagOptions[key as keyof typeof clientFlagOptions];
    if (!spec || key === 'config') throw new UsageError(`Unknown key '${key}' in the config file ${path}.`);
    if (
      spec.type === 'boolean'
        ? typeof value !== 'boolean'
        : typeof value !== 'string' && typeof value !== 'number'
    ) {
      throw new UsageError(
        `'${key}' in the config file ${path} must be a ${spec.type === 'boolean' ? 'boolean' : 'string or number'}.`,
      );
    }
    config[key] = typeof value === 'number' ? String(value) : value;
  }
  return config as ClientFlagValues;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The server's address without any credentials embedded in it. */
function safeURL(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    throw new UsageError(
      `--base-url '${url}' is not a URL; expected something like http://localhost:8000/v1.`,
    );
  }
}
