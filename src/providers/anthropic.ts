/**
 * The provider for Anthropic's Messages API, built on the official `@anthropic-ai/sdk`. One `send`
 * is one HTTP attempt: the SDK's own retries are off and its timeout is out of the way, because
 * the scheduler and the retry policy own both. Sending is `AnthropicProvider`'s; this module reads
 * the options and builds the client.
 */
import Anthropic from '@anthropic-ai/sdk';
import { VolleyError } from '../errors.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { clientOption, clientOptions, envURL, laneID, PLACEHOLDER_KEY } from './sdk-client.js';
import {
  checkOptionKeys,
  describeType,
  displayURL,
  type Env,
  envOption,
  type FetchFunction,
  isRecord,
  readEnv,
  stringOption,
  urlOption,
} from './shared.js';
import type { Provider } from './types.js';

export interface AnthropicProviderOptions {
  /**
   * API key. Anthropic-compatible local servers and proxies may need none: when no key is
   * configured but a base URL is, the placeholder `'not-needed'` is sent.
   * @default env `ANTHROPIC_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Base URL of the API, without the `/v1` prefix (the SDK appends `/v1/messages`).
   * @default env `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`
   */
  readonly baseURL?: string | undefined;
  /**
   * Model used when a request names none, e.g. `'claude-sonnet-4-5'`.
   * @default undefined (every request must name its model)
   */
  readonly defaultModel?: string | undefined;
  /**
   * `max_tokens` for requests that set no `maxTokens`. Anthropic requires the field on every
   * request, so the provider always sends one; a positive integer.
   * @default 1024
   */
  readonly defaultMaxTokens?: number | undefined;
  /**
   * Extra headers sent with every request, e.g. `{ 'anthropic-beta': '...' }`.
   * @default {}
   */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * The fetch used for HTTP, e.g. a test double's.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchFunction | undefined;
  /**
   * Where the `ANTHROPIC_*` defaults are read from; injected by tests.
   * @default process.env
   */
  readonly env?: Env | undefined;
  /**
   * An `Anthropic` client to send through instead of building one. Excludes the connection
   * options (`apiKey`, `baseURL`, `defaultHeaders`, `fetch`). Its retries and timeout are
   * overridden per request.
   * @default undefined (a client is built from the other options)
   */
  readonly client?: Anthropic | undefined;
}

/** What `max_tokens` is when neither the request nor the provider options set it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

const OPTIONS = [
  'apiKey',
  'baseURL',
  'defaultModel',
  'defaultMaxTokens',
  'defaultHeaders',
  'fetch',
  'env',
  'client',
] as const;
const CONNECTION_OPTIONS = ['apiKey', 'baseURL', 'defaultHeaders', 'fetch'];

/**
 * A provider for Anthropic's Messages API. Throws a `TypeError` naming the option for invalid
 * options, and a `VolleyError` with code `authentication` when neither a key nor a base URL is
 * configured.
 *
 * Requests are mapped as follows: `system` and `developer` messages, wherever they appear, are
 * joined (blank line between) into the top-level `system` prompt; `user` and `assistant` messages
 * keep their order; a `tool` message is refused with `invalid_request` (send tool results as
 * `tool_result` content blocks in a user message); `name` is dropped. `maxTokens` becomes
 * `max_tokens` (else `defaultMaxTokens`). A JSON `responseFormat` adds an instruction to answer
 * with JSON only to the system prompt (for `json_schema`, with the schema); the model is asked,
 * not forced. `params` are sent as they are, in Anthropic's names (`top_k`, `stop_sequences`,
 * `tools`, `thinking`, ...), and override everything above except `stream`.
 */
export function anthropic(options?: AnthropicProviderOptions): Provider {
  const fn = 'anthropic()';
  const opts = checkOptionKeys(fn, options, OPTIONS);
  const env = envOption(fn, opts);
  const defaultModel = stringOption(fn, opts, 'defaultModel');
  const defaultMaxTokens = maxTokensOption(fn, opts);

  const given = clientOption(
    fn,
    opts,
    isMessagesClient,
    'an Anthropic client (new Anthropic(...))',
    CONNECTION_OPTIONS,
  );
  if (given !== undefined) {
    const key = [given.apiKey, given.authToken].find(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    const baseURL = displayURL(given.baseURL);
    return new AnthropicProvider({
      client: given,
      id: laneID('anthropic', baseURL, key),
      defaultModel,
      defaultMaxTokens,
      baseURL,
      secrets: key === undefined ? [] : [key],
    });
  }

  const configuredURL = urlOption(fn, opts, 'baseURL') ?? envURL(env, 'ANTHROPIC_BASE_URL');
  const key = stringOption(fn, opts, 'apiKey') ?? readEnv(env, 'ANTHROPIC_API_KEY');
  if (key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No Anthropic API key is configured. Set ANTHROPIC_API_KEY (or pass apiKey), ' +
        'or pass baseURL to use an Anthropic-compatible server that needs no key.',
    );
  }
  const baseURL = configuredURL ?? DEFAULT_BASE_URL;
  const client = new Anthropic({
    // Always a key, so that the SDK never looks for credentials of its own (environment,
    // profiles on disk).
    apiKey: key ?? PLACEHOLDER_KEY,
    baseURL,
    ...clientOptions(fn, opts, env, 'ANTHROPIC_LOG'),
  });
  const shownURL = displayURL(baseURL);
  return new AnthropicProvider({
    client,
    id: laneID('anthropic', shownURL, key),
    defaultModel,
    defaultMaxTokens,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
  });
}

function maxTokensOption(fn: string, opts: Readonly<Record<string, unknown>>): number {
  const value = opts['defaultMaxTokens'];
  if (value === undefined) return ANTHROPIC_DEFAULT_MAX_TOKENS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const got = typeof value === 'number' ? String(value) : describeType(value);
    throw new TypeError(`${fn}: option "defaultMaxTokens" must be a positive integer, got ${got}.`);
  }
  return value;
}

function isMessagesClient(value: unknown): value is Anthropic {
  if (value instanceof Anthropic) return true;
  if (!isRecord(value)) return false;
  const messages = (value as { messages?: { create?: unknown } }).messages;
  return typeof messages?.create === 'function' && typeof value['baseURL'] === 'string';
}
