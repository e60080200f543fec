/**
 * How the SDK-based providers build or accept their clients: the SDK's own retries off and its
 * timeout out of the way (the scheduler and the retry policy own both), no console logging unless
 * asked, and lane ids that tell servers and accounts apart without revealing a key.
 */
import {
  checkURL,
  type Env,
  type FetchFunction,
  fingerprint,
  functionOption,
  headersOption,
  readEnv,
} from './shared.js';

/**
 * The SDK's own timeout, kept far above any per-attempt timeout (Volley aborts through
 * `context.signal`) and below 2^31 ms, past which Node's timers fire at once.
 */
const SDK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const LOG_LEVELS = new Set(['off', 'error', 'warn', 'info', 'debug']);
type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Sent to servers that ignore the key; the SDKs refuse to send a request without one. */
export const PLACEHOLDER_KEY = 'not-needed';

/** Per-request SDK options: this attempt's signal, no retries, no SDK timeout. */
export function requestOptions(signal: AbortSignal) {
  return { signal, maxRetries: 0, timeout: SDK_TIMEOUT_MS };
}

/**
 * The client options both SDKs take alike: no retries, no timeout of their own, the log level from
 * `logEnv` (off by default: the SDKs log to the console, which would scribble over the CLI's
 * output), and the `fetch` and `defaultHeaders` options, checked.
 */
export function clientOptions(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  env: Env,
  logEnv: string,
): {
  maxRetries: number;
  timeout: number;
  logLevel: LogLevel;
  defaultHeaders?: Readonly<Record<string, string>>;
  fetch?: FetchFunction;
} {
  const fetch = functionOption<FetchFunction>(fn, options, 'fetch');
  const defaultHeaders = headersOption(fn, options, 'defaultHeaders');
  const level = readEnv(env, logEnv);
  return {
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: level !== undefined && LOG_LEVELS.has(level) ? (level as LogLevel) : 'off',
    ...(defaultHeaders === undefined ? {} : { defaultHeaders }),
    ...(fetch === undefined ? {} : { fetch }),
  };
}

/**
 * The `client` option: `undefined` when absent; a `TypeError` when it is not a client (`what`
 * describes one) or comes with `connectionOptions`, which only a client built here would use.
 */
export function clientOption<T>(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  isClient: (value: unknown) => value is T,
  what: string,
  connectionOptions: readonly string[],
): T | undefined {
  const client = options['client'];
  if (client === undefined) return undefined;
  if (!isClient(client)) throw new TypeError(`${fn}: option "client" must be ${what}.`);
  const clash = connectionOptions.find((name) => options[name] !== undefined);
  if (clash !== undefined) {
    throw new TypeError(
      `${fn}: option "${clash}" cannot be combined with "client"; configure the client itself instead.`,
    );
  }
  return client;
}

/** An http(s) URL from the environment variable `name`; a `TypeError` naming it when it is not one. */
export function envURL(env: Env, name: string): string | undefined {
  const value = readEnv(env, name);
  return value === undefined ? undefined : checkURL(name, value);
}

/**
 * `prefix:baseURL#account`, where account is the first 8 hex characters of sha256(key), or
 * `noKey` (by default `nokey`) when no key is configured.
 */
export function laneID(prefix: string, baseURL: string, key: string | undefined, noKey = 'nokey'): string {
  return `${prefix}:${baseURL}#${key === undefined ? noKey : fingerprint(key)}`;
}
