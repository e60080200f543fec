/**
 * Reading a provider factory's options: unknown names get a did-you-mean (`options/check.ts`), bad
 * values an `OptionError` naming the option but never echoing the value (a key pasted into the
 * wrong option would show), and the environment is read the way the SDKs read it.
 */
import { VolleyError } from '../errors.js';
import { OptionError, rejectUnknown } from '../options/check.js';
import { httpFetch } from './http-fetch.js';
import { describeType, displayURL, fingerprint, isRecord } from './shared.js';

/** The environment a provider reads its defaults from (`process.env` unless injected). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A `fetch`-compatible function, such as the global one or an in-process simulator's. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The options every SDK-based provider takes. */
export interface CommonOptions {
  /** Model used when a request names none. @default undefined (every request names its model) */
  readonly defaultModel?: string | undefined;
  /** Extra headers sent with every request, e.g. `{ 'anthropic-beta': '...' }`. @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * The fetch used for HTTP, e.g. an in-process simulator's. @default `httpFetch` (`http-fetch.ts`):
   * `node:http` with keep-alive, and `globalThis.fetch` for what it does not cover
   */
  readonly fetch?: FetchFunction | undefined;
  /** Where the defaults (`OPENAI_API_KEY`, ...) are read from; injected by tests. @default process.env */
  readonly env?: Env | undefined;
}

/** Sent to servers that ignore the key; the SDKs refuse to send a request without one. */
export const PLACEHOLDER_KEY = 'not-needed';
const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'] as const;
/** Far above any per-attempt timeout (Volley aborts through the signal), below 2^31 ms (Node fires those at once). */
const SDK_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Per request, for clients the caller brings too: this attempt's signal, no retries, no SDK timeout. */
export const requestOptions = (signal: AbortSignal) => ({ signal, maxRetries: 0, timeout: SDK_TIMEOUT_MS });

export interface Account {
  /** The lane id `prefix:baseURL#account`: the key's fingerprint, or a word when there is none. */
  readonly id: string;
  /** Without user info. */
  readonly baseURL: string;
  readonly keyFingerprint: string | undefined;
  /** The key, to keep out of every message; never shown. */
  readonly secrets: readonly string[];
}

export function account(prefix: string, baseURL: string, key: string | undefined, noKey = 'nokey'): Account {
  const shown = displayURL(baseURL);
  const keyFingerprint = key === undefined ? undefined : fingerprint(key);
  const secrets = key === undefined ? [] : [key];
  return { id: `${prefix}:${shown}#${keyFingerprint ?? noKey}`, baseURL: shown, keyFingerprint, secrets };
}

const isString = (value: unknown) => typeof value === 'string';
const isText = (value: unknown) => typeof value === 'string' && value.trim() !== '';
const isCount = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
const URL_STRING = 'a URL string such as "http://localhost:8000/v1"';

export class ProviderOptions {
  readonly #fn: string;
  readonly #options: Readonly<Record<string, unknown>>;
  readonly env: Env;

  constructor(fn: string, options: unknown, known: readonly string[]) {
    this.#fn = fn;
    if (options !== undefined && !isRecord(options)) this.#fail('', 'an object', options);
    this.#options = options ?? {};
    rejectUnknown(this.#options, known);
    this.env = this.#take<Env>('env', isRecord, 'an object such as process.env') ?? process.env;
  }

  #fail(name: string, takes: string, value: unknown, got = describeType(value)): never {
    const what = name ? `option \`${name}\`` : 'options';
    throw new OptionError(`${this.#fn}: ${what} must be ${takes}, got ${got}.`);
  }

  #take<T>(name: string, ok: (value: unknown) => boolean, takes: string, got?: string): T | undefined {
    const value = this.#options[name];
    if (value === undefined || ok(value)) return value as T | undefined;
    this.#fail(name, takes, value, got);
  }

  has(name: string): boolean {
    return this.#options[name] !== undefined;
  }

  /** A non-empty string, trimmed. */
  string(name: string): string | undefined {
    const got = this.#options[name] === '' ? 'an empty string' : undefined;
    return this.#take<string>(name, isText, 'a non-empty string', got)?.trim();
  }

  /** An http(s) URL, trimmed. */
  url(name: string): string | undefined {
    const value = this.#take<string>(name, isString, URL_STRING);
    return value && checkURL(`${this.#fn}: option \`${name}\``, value);
  }

  function<T>(name: string): T | undefined {
    return this.#take<T>(name, (value) => typeof value === 'function', 'a function');
  }

  positiveInteger(name: string): number | undefined {
    const value = this.#options[name];
    return this.#take<number>(
      name,
      isCount,
      'a positive integer',
      typeof value === 'number' ? `${value}` : undefined,
    );
  }

  /** An environment variable the way the SDKs read it: trimmed, with empty meaning unset. */
  readEnv(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  envURL(name: string): string | undefined {
    const value = this.readEnv(name);
    return value && checkURL(name, value);
  }

  /**
   * The key and base URL from the options, else from `${prefix}_API_KEY` and `${prefix}_BASE_URL`,
   * else `fallback`; `authentication` (`noKey` says what to do) when neither is configured.
   */
  connection(prefix: string, fallback: string, noKey: string) {
    const configured = this.url('baseURL') ?? this.envURL(`${prefix}_BASE_URL`);
    const key = this.string('apiKey') ?? this.readEnv(`${prefix}_API_KEY`);
    if (key === undefined && configured === undefined) throw new VolleyError('authentication', noKey);
    return { key, baseURL: configured ?? fallback };
  }

  /**
   * The `client` option: an object with a string `baseURL` that `isClient` knows. It excludes the
   * `connection` options, which only a client built here would use.
   */
  client<T>(isClient: (value: T) => boolean, what: string, connection: readonly string[]) {
    const ok = (value: unknown) =>
      isRecord(value) && typeof value['baseURL'] === 'string' && isClient(value as T);
    const client = this.#take<T>('client', ok, what);
    const clash = connection.find((name) => this.has(name));
    if (client === undefined || clash === undefined) return client;
    const message = `option \`${clash}\` cannot be combined with \`client\`; configure the client itself instead.`;
    throw new OptionError(`${this.#fn}: ${message}`);
  }

  /**
   * What the SDK clients are built with: no retries and a timeout out of the way (the lane owns
   * both), no console logging unless `logEnv` asks (it would scribble over the CLI's output).
   */
  sdkOptions(logEnv: string) {
    const fetch = this.function<FetchFunction>('fetch');
    const headers = this.#take<Record<string, string>>(
      'defaultHeaders',
      isRecord,
      'an object of header names to strings',
    );
    for (const [name, text] of Object.entries(headers ?? {})) {
      if (typeof text !== 'string') this.#fail(`defaultHeaders.${name}`, 'a string', text);
    }
    const logLevel = LOG_LEVELS.find((level) => level === this.readEnv(logEnv)) ?? 'off';
    return {
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      logLevel,
      ...(headers && { defaultHeaders: headers }),
      fetch: fetch ?? httpFetch,
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
