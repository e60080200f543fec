/**
 * The provider for Anthropic's Messages API, on the official `@anthropic-ai/sdk`. One `send` is one
 * HTTP attempt: the SDK's own retries are off and its timeout out of the way, because the
 * scheduler and the retry policy own both. The SDK is imported when the first provider is built,
 * never by importing Volley.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { VolleyError } from '../../errors.js';
import { account, type Env, type FetchFunction, PLACEHOLDER_KEY, ProviderOptions } from '../options.js';
import { isRecord } from '../shared.js';
import type { Provider } from '../types.js';
import { AnthropicProvider } from './provider.js';

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
  /** Model used when a request names none, e.g. `'claude-sonnet-4-5'`. @default undefined (every request names its model) */
  readonly defaultModel?: string | undefined;
  /**
   * `max_tokens` for requests that set no `maxTokens`: Anthropic requires the field on every
   * request. A positive integer.
   * @default 1024
   */
  readonly defaultMaxTokens?: number | undefined;
  /** Extra headers sent with every request, e.g. `{ 'anthropic-beta': '...' }`. @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** The fetch used for HTTP, e.g. a test double's. @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** Where the `ANTHROPIC_*` defaults are read from; injected by tests. @default process.env */
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
const CONNECTION = ['apiKey', 'baseURL', 'defaultHeaders', 'fetch'];

/**
 * A provider for Anthropic's Messages API. Throws an `OptionError` naming the option for invalid
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
  const known = [...CONNECTION, 'defaultModel', 'defaultMaxTokens', 'env', 'client'];
  const opts = new ProviderOptions('anthropic()', options, known);
  const defaultModel = opts.string('defaultModel');
  const defaultMaxTokens = opts.positiveInteger('defaultMaxTokens') ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
  const given = opts.client(isMessagesClient, 'an Anthropic client (new Anthropic(...))', CONNECTION);
  const configuredURL =
    given === undefined ? (opts.url('baseURL') ?? opts.envURL('ANTHROPIC_BASE_URL')) : undefined;
  const key =
    given === undefined
      ? (opts.string('apiKey') ?? opts.readEnv('ANTHROPIC_API_KEY'))
      : [given.apiKey, given.authToken].find(
          (value): value is string => typeof value === 'string' && value !== '',
        );
  if (given === undefined && key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No Anthropic API key is configured. Set ANTHROPIC_API_KEY (or pass apiKey), ' +
        'or pass baseURL to use an Anthropic-compatible server that needs no key.',
    );
  }
  const baseURL = given?.baseURL ?? configuredURL ?? DEFAULT_BASE_URL;
  const sdkOptions = opts.sdkOptions('ANTHROPIC_LOG');
  return new AnthropicProvider({
    ...account('anthropic', baseURL, key),
    defaultModel,
    defaultMaxTokens,
    // Always a key, so that the SDK never looks for credentials of its own (environment, files).
    client: (sdk) => given ?? new sdk.Anthropic({ apiKey: key ?? PLACEHOLDER_KEY, baseURL, ...sdkOptions }),
  });
}

function isMessagesClient(value: unknown): value is Anthropic {
  if (!isRecord(value)) return false;
  const messages = (value as { messages?: { create?: unknown } }).messages;
  return typeof messages?.create === 'function' && typeof value['baseURL'] === 'string';
}
