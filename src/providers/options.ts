/**
 * Reading a provider factory's options: unknown names get a did-you-mean (`options/check.ts`), bad
 * values an `OptionError` naming the option but never echoing the value (a key pasted into the
 * wrong option would show), and the environment is read the way the SDKs read it. Also what every
 * SDK client is built with, and what a provider shows of its server and account.
 */
import { OptionError, rejectUnknown } from '../options/check.js';
import { describeType, displayURL, fingerprint, isRecord } from './shared.js';

/** The environment a provider reads its defaults from (`process.env` unless injected). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A `fetch`-compatible function, such as the global one or an in-process simulator's. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The SDK's own timeout, kept far above any per-attempt timeout (Volley aborts through the
 * attempt's signal) and below 2^31 ms, past which Node's timers fire at once.
 */
const SDK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'] as const;

/** Sent to servers that ignore the key; the SDKs refuse to send a request without one. */
export const PLACEHOLDER_KEY = 'not-needed';

/** Per request, for clients the caller brings too: this attempt's signal, no retries, no SDK timeout. */
export function requestOptions(signal: AbortSignal) {
  return { signal, maxRetries: 0, timeout: SDK_TIMEOUT_MS };
}

export interface Account {
  readonly id: string;
  readonly baseURL: string;
  readonly keyFingerprint: string | undefined;
  /** The key, to keep out of every message; never shown. */
  readonly secrets: readonly string[];
}

/**
 * What a provider shows of its server and account: the lane id `prefix:baseURL#account` (account
 * is a fingerprint of the key, or `noKey`), the base URL without user info, and the fingerprint.
 */
export function account(prefix: string, baseURL: string, key: string | undefined, noKey = 'nokey'): Account {
  const shown = displayURL(baseURL);
  const keyFingerprint = key === undefined ? undefined : fingerprint(key);
  const secrets: readonly string[] = key === undefined ? [] : [key];
  return { id: `${prefix}:${shown}#${keyFingerprint ?? noKey}`, baseURL: shown, keyFingerprint, secrets };
}

export class ProviderOptions {
  readonly #fn: string;
  readonly #options: Readonly<Record<string, unknown>>;
  readonly env: Env;

  constructor(fn: string, options: unknown, known: readonly string[]) {
    this.#fn = fn;
    if (options !== undefined && !isRecord(options)) this.#fail('', 'an object', options);
    this.#options = options ?? {};
    rejectUnknown(this.#options, known);
    const env = this.#options['env'];
    if (env !== undefined && !isRecord(env)) this.#fail('env', 'an object such as process.env', env);
    this.env = (env as Env | undefined) ?? process.env;
  }

  #fail(name: string, takes: string, value: unknown, got = describeType(value)): never {
    throw new OptionError(
      `${this.#fn}: ${name ? `option \`${name}\`` : 'options'} must be ${takes}, got ${got}.`,
    );
  }

  has(name: string): boolean {
    return this.#options[name] !== undefined;
  }

  /** A non-empty string, trimmed. */
  string(name: string): string | undefined {
    const value = this.#options[name];
    if (value === undefined || (typeof value === 'string' && value.trim() !== '')) return value?.trim();
    this.#fail(name, 'a non-empty string', value, value === '' ? 'an empty string' : undefined);
  }

  /** An http(s) URL, trimmed. */
  url(name: string): string | undefined {
    const value = this.#options[name];
    if (value === undefined || typeof value === 'string')
      return value && checkURL(`${this.#fn}: option \`${name}\``, value);
    this.#fail(name, 'a URL string such as "http://localhost:8000/v1"', value);
  }

  function<T>(name: string): T | undefined {
    const value = this.#options[name];
    if (value === undefined || typeof value === 'function') return value as T | undefined;
    this.#fail(name, 'a function', value);
  }

  positiveInteger(name: string): number | undefined {
    const value = this.#options[name];
    if (value === undefined || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1))
      return value;
    this.#fail(name, 'a positive integer', value, typeof value === 'number' ? String(value) : undefined);
  }

  /** An environment variable the way the SDKs read it: trimmed, with empty meaning unset. */
  readEnv(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  /** An http(s) URL from the environment variable `name`. */
  envURL(name: string): string | undefined {
    const value = this.readEnv(name);
    return value && checkURL(name, value);
  }

  /** The `client` option, which excludes the options only a client built here would use. */
  client<T>(isClient: (value: unknown) => value is T, what: string, connection: readonly string[]) {
    const client = this.#options['client'];
    if (client !== undefined && !isClient(client)) this.#fail('client', what, client);
    const clash = connection.find((name) => this.has(name));
    if (client !== undefined && clash !== undefined) {
      const message = `option \`${clash}\` cannot be combined with \`client\`; configure the client itself instead.`;
      throw new OptionError(`${this.#fn}: ${message}`);
    }
    return client as T | undefined;
  }

  /**
   * What both SDKs' clients are built with: no retries and no timeout of their own (the scheduler
   * owns both), no console logging unless `logEnv` asks (it would scribble over the CLI's output),
   * and the `fetch` and `defaultHeaders` options.
   */
  sdkOptions(logEnv: string) {
    const fetch = this.function<FetchFunction>('fetch');
    const headers = this.#options['defaultHeaders'];
    if (headers !== undefined && !isRecord(headers))
      this.#fail('defaultHeaders', 'an object of header names to strings', headers);
    for (const [name, text] of Object.entries(headers ?? {})) {
      if (typeof text !== 'string') this.#fail(`defaultHeaders.${name}`, 'a string', text);
    }
    return {
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      logLevel: LOG_LEVELS.find((level) => level === this.readEnv(logEnv)) ?? 'off',
      ...(headers === undefined ? {} : { defaultHeaders: headers as Record<string, string> }),
      ...(fetch === undefined ? {} : { fetch }),
    };
  }
}

/** Validates an http(s) URL; `what` names where it came from. Never echoes the value. */
function checkURL(what: string, value: string): string {
  const trimmed = value.trim();
  const protocol = URL.canParse(trimmed) ? new URL(trimmed).protocol : undefined;
  if (protocol === 'http:' || protocol === 'https:') return trimmed;
  throw new OptionError(`${what} must be an http(s) URL such as "http://localhost:8000/v1".`);
}
