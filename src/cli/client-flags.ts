/**
 * The flags every command that makes calls shares (provider, model, server, limits, retries,
 * timeouts), and the client they build: the provider's server, an OpenAI- or Anthropic-compatible
 * one at `--base-url`, or the built-in simulator over real HTTP when asked with `--sim`. Never the
 * simulator without `--sim`: fake answers must not pass for real ones. Values come from flags, then
 * a JSON config file (`--config`), then the environment. Everything is checked before anything
 * starts, and the simulator is loaded only when asked for.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ResponseCache } from '../cache/store.js';
import { Volley } from '../client/volley.js';
import { didYouMean, oneOf } from '../options/check.js';
import type { Provider } from '../providers/types.js';
import { type EndpointIdentity, identityOf } from '../run/identity.js';
import { durationFlag, numberFlag, UsageError } from './args.js';
import type { CliIO } from './io.js';

export const clientFlagOptions = {
  provider: { type: 'string' },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  deadline: { type: 'string' },
  'max-attempts': { type: 'string' },
  'max-outage': { type: 'string' },
  cache: { type: 'string' },
  'cache-max-age': { type: 'string' },
  config: { type: 'string' },
  sim: { type: 'boolean' },
  'sim-rpm': { type: 'string' },
  'sim-tpm': { type: 'string' },
  'sim-latency': { type: 'string' },
  'sim-batch-time-scale': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** What each `--provider` defaults to. */
const PROVIDERS = {
  openai: { label: 'OpenAI', keyEnv: 'OPENAI_API_KEY', urlEnv: 'OPENAI_BASE_URL', model: 'gpt-4o-mini' },
  anthropic: {
    label: 'Anthropic',
    keyEnv: 'ANTHROPIC_API_KEY',
    urlEnv: 'ANTHROPIC_BASE_URL',
    model: 'claude-sonnet-4-5',
  },
} as const;
type ProviderKind = keyof typeof PROVIDERS;
const PROVIDER_KINDS = Object.keys(PROVIDERS) as ProviderKind[];

export const clientFlagsUsage = `Provider and limits:
  --provider NAME       openai or anthropic (default: openai)
  --model NAME          model for lines that name none (default: gpt-4o-mini; claude-sonnet-4-5)
  --base-url URL        a compatible server (default: env OPENAI_BASE_URL or ANTHROPIC_BASE_URL,
                        else the provider's own API)
  --api-key-env NAME    environment variable holding the API key
                        (default: OPENAI_API_KEY; ANTHROPIC_API_KEY with --provider anthropic)
  --rpm N, --tpm N      requests / tokens per minute (default: learned from the server's headers)
  --concurrency N       fixed cap on calls in flight (default: adaptive)
  --timeout 30s         per-attempt timeout (default: 60s)
  --deadline 10m        time budget per item, retries included (default: none)
  --max-attempts N      attempts per item, the first included (default: 6)
  --max-outage 5m       how long a server that cannot be reached is waited for, one probe at a
                        time, before the run stops (default: 5m)
  --cache DIR           answer a request sent before from DIR, with no call and no cost, and keep
                        each new success there (with temperature > 0 a hit is one sample, reused)
  --cache-max-age 7d    how old a cached answer may be (default: any age)
  --config FILE         JSON file with any of these flags as keys (flags win)
  --sim                 answer from the built-in simulator instead (fake answers, no key needed)
  --sim-rpm N, --sim-tpm N, --sim-latency 400ms   the simulator's limits and median latency
  --sim-batch-time-scale N   how much faster its Batch APIs run than real ones (default: 3600,
                        a 24-hour window in 24 s)
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
  /** What answers, for the journal header: a resume against another endpoint is noticed. */
  readonly identity: EndpointIdentity;
  /** Present when the calls go to the built-in simulator. */
  readonly simulator?: { readonly url: string; stats(): unknown };
  close(): Promise<void>;
}

export interface ClientFromFlagsOptions {
  /** Nothing will be sent (`--dry-run`): a missing key is no error. @default false */
  readonly offline?: boolean;
}

export async function clientFromFlags(
  flags: ClientFlagValues,
  io: CliIO,
  { offline = false }: ClientFromFlagsOptions = {},
): Promise<CliClient> {
  const values = { ...(await readConfig(flags.config, io.cwd)), ...definedOnly(flags) };
  const kind = oneOf('--provider', values.provider ?? 'openai', PROVIDER_KINDS) ?? 'openai';
  const defaults = PROVIDERS[kind];
  const keyEnv = values['api-key-env'] ?? defaults.keyEnv;
  const apiKey = io.env[keyEnv] || undefined;
  const urlFlag = values['base-url'];
  const baseURL =
    urlFlag !== undefined
      ? checkURL(urlFlag, '--base-url')
      : io.env[defaults.urlEnv] && checkURL(io.env[defaults.urlEnv]!, defaults.urlEnv);
  const model = values.model ?? io.env['VOLLEY_MODEL'] ?? defaults.model;
  const options = {
    model,
    limits: {
      rpm: numberFlag('rpm', values.rpm),
      tpm: numberFlag('tpm', values.tpm),
      concurrency: numberFlag('concurrency', values.concurrency, { integer: true }),
    },
    timeout: durationFlag('timeout', values.timeout),
    deadline: durationFlag('deadline', values.deadline),
    retry: { maxAttempts: numberFlag('max-attempts', values['max-attempts'], { integer: true }) },
    maxOutage: durationFlag('max-outage', values['max-outage']),
    cache: await openCache(values.cache, values['cache-max-age'], io.cwd),
  };
  const sim = {
    rpm: numberFlag('sim-rpm', values['sim-rpm']) ?? 3000,
    tpm: numberFlag('sim-tpm', values['sim-tpm']) ?? 2_000_000,
    latencyMedianMs: durationFlag('sim-latency', values['sim-latency']) ?? 400,
    batches: { timeScale: numberFlag('sim-batch-time-scale', values['sim-batch-time-scale']) ?? 3600 },
  };

  if (values.sim === true) {
    if (urlFlag !== undefined)
      throw new UsageError('--sim and --base-url name two different servers; pass one of them.');
    const { createSimulator, listen } = await import('../simulator/index.js');
    const simulator = createSimulator({ ...sim, latencySpread: 0.3, models: [], anthropicModels: [] });
    const server = await listen(simulator);
    // The Anthropic SDK adds `/v1` to its base URL itself.
    const url = kind === 'anthropic' ? server.url.replace(/\/v1$/, '') : server.url;
    const provider = await makeProvider(kind, { apiKey: 'sim', baseURL: url, model, env: {} });
    return {
      volley: new Volley({ provider, ...options }),
      description: `the built-in simulator at ${server.url}`,
      model,
      identity: identityOf(provider, { simulator: true, model }),
      simulator: { url: server.url, stats: () => simulator.stats() },
      close: () => server.close(),
    };
  }

  if (!apiKey && !baseURL && !offline) {
    throw new UsageError(
      `No API key: set ${keyEnv} to call ${defaults.label}, pass --base-url for a server that needs ` +
        'no key, or --sim for fake answers from the built-in simulator.',
    );
  }
  const provider = await makeProvider(kind, {
    // A dry run sends nothing, so any key will do for building the client.
    apiKey: apiKey ?? (offline && !baseURL ? 'unused-offline' : undefined),
    baseURL,
    model,
    env: io.env,
  });
  return {
    volley: new Volley({ provider, ...options }),
    description: baseURL ? safeURL(baseURL) : defaults.label,
    model,
    identity: identityOf(provider, { simulator: false, model }),
    close: async () => {},
  };
}

/** The `--cache` directory, created or checked now: one that cannot be used is exit 2, naming it. */
async function openCache(
  dir: string | undefined,
  maxAge: string | undefined,
  cwd: string,
): Promise<ResponseCache | undefined> {
  if (dir === undefined) {
    if (maxAge !== undefined) throw new UsageError('--cache-max-age needs --cache DIR, the cache it ages.');
    return undefined;
  }
  if (dir === '') throw new UsageError('--cache needs a directory.');
  const { ResponseCache } = await import('../cache/store.js');
  const cache = new ResponseCache({ dir: resolve(cwd, dir), maxAge: durationFlag('cache-max-age', maxAge) });
  try {
    await cache.open();
  } catch (error) {
    throw new UsageError((error as Error).message.replace(cache.dir, dir));
  }
  return cache;
}

async function makeProvider(
  kind: ProviderKind,
  { apiKey, baseURL, model, env }: { apiKey?: string; baseURL?: string; model: string; env: CliIO['env'] },
): Promise<Provider> {
  const options = { apiKey, baseURL, defaultModel: model, env };
  // Only the provider asked for: the other's modules are not on the way to the first request.
  if (kind === 'anthropic') return (await import('../providers/anthropic/index.js')).anthropic(options);
  return (await import('../providers/openai/index.js')).openai(options);
}

/**
 * The URL, when it is one a server can be reached at. `new URL` accepts `http://127.0.0.1:/v1`
 * (an empty port means the default one), which is never what was meant: such a run once marked
 * 78,142 lines failed over ten minutes.
 */
function checkURL(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `${source} '${url}' is not a URL; expected something like http://localhost:8000/v1.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`${source} '${url}' must start with http:// or https://.`);
  if (/^[a-z][a-z\d+.-]*:\/\/[^/?#]*:(?:[/?#]|$)/i.test(url))
    throw new UsageError(
      `${source} '${url}' has a colon but no port; give the port (http://127.0.0.1:8000/v1) or drop the colon.`,
    );
  return url;
}

const CONFIG_KEYS = Object.keys(clientFlagOptions).filter((key) => key !== 'config');

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
    if (!spec || key === 'config') {
      const near = didYouMean(key, CONFIG_KEYS);
      const hint =
        near === undefined ? ` Known keys: ${CONFIG_KEYS.join(', ')}.` : ` Did you mean '${near}'?`;
      throw new UsageError(`Unknown key '${key}' in the config file ${path}.${hint}`);
    }
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
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
