/**
 * The provider for Anthropic's Messages API, on the official `@anthropic-ai/sdk`. One `send` is one
 * HTTP attempt: the SDK's retries are off and its timeout out of the way, because the lane owns
 * both. The SDK is imported when the first provider is built, never by importing Volley.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { account, type CommonOptions, PLACEHOLDER_KEY, ProviderOptions } from '../options.js';
import { nonEmpty } from '../shared.js';
import type { Provider } from '../types.js';
import { anthropicProvider } from './provider.js';

export interface AnthropicProviderOptions extends CommonOptions {
  /**
   * API key. Anthropic-compatible local servers and proxies may need none: with a base URL but no
   * key, the placeholder `'not-needed'` is sent. @default env `ANTHROPIC_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Base URL of the API, without the `/v1` prefix (the SDK appends `/v1/messages`).
   * @default env `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`
   */
  readonly baseURL?: string | undefined;
  /** `max_tokens` for requests that set no `maxTokens` (Anthropic requires it). A positive integer. @default 1024 */
  readonly defaultMaxTokens?: number | undefined;
  /**
   * An `Anthropic` client to send through instead of building one; excludes `apiKey`, `baseURL`,
   * `defaultHeaders` and `fetch`. Its retries and timeout are overridden per request. @default undefined
   */
  readonly client?: Anthropic | undefined;
}

/** What `max_tokens` is when neither the request nor the provider options set it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
const CONNECTION = ['apiKey', 'baseURL', 'defaultHeaders', 'fetch'];
const NO_KEY =
  'No Anthropic API key is configured. Set ANTHROPIC_API_KEY (or pass apiKey), ' +
  'or pass baseURL to use an Anthropic-compatible server that needs no key.';

/**
 * A provider for Anthropic's Messages API. Throws an `OptionError` naming the option for invalid
 * options, and a `VolleyError` with code `authentication` when neither a key nor a base URL is
 * configured.
 *
 * `system` and `developer` messages, wherever they appear, are joined (blank line between) into the
 * top-level `system` prompt; `user` and `assistant` messages keep their order; a `tool` message is
 * refused with `invalid_request` (send `tool_result` content blocks in a user message); `name` is
 * dropped. A JSON `responseFormat` asks for JSON only in the system prompt (with the schema for
 * `json_schema`); the model is asked, not forced. `params` are sent as they are, in Anthropic's
 * names (`top_k`, `tools`, `thinking`, ...), and override everything above except `stream`.
 */
export function anthropic(options?: AnthropicProviderOptions): Provider {
  const known = [...CONNECTION, 'defaultModel', 'defaultMaxTokens', 'env', 'client'];
  const opts = new ProviderOptions('anthropic()', options, known);
  const defaultModel = opts.string('defaultModel');
  const defaultMaxTokens = opts.positiveInteger('defaultMaxTokens') ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
  const given = opts.client<Anthropic>(
    (client) => typeof client.messages?.create === 'function',
    'an Anthropic client (new Anthropic(...))',
    CONNECTION,
  );
  const { key, baseURL } = given
    ? { key: nonEmpty(given.apiKey) ?? nonEmpty(given.authToken), baseURL: given.baseURL }
    : opts.connection('ANTHROPIC', 'https://api.anthropic.com', NO_KEY);
  const sdkOptions = opts.sdkOptions('ANTHROPIC_LOG');
  return anthropicProvider(defaultMaxTokens, {
    ...account('anthropic', baseURL, key),
    name: 'anthropic',
    endpoint: '/v1/messages',
    defaultModel,
    keyEnv: 'ANTHROPIC_API_KEY',
    // Always a key, so that the SDK never looks for credentials of its own (environment, files).
    client: (sdk) => given ?? new sdk.Anthropic({ apiKey: key ?? PLACEHOLDER_KEY, baseURL, ...sdkOptions }),
  });
}
