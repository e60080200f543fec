/**
 * The provider for every OpenAI-compatible chat completions server (OpenAI, vLLM, Ollama, LM
 * Studio, Groq, Together), built on the official `openai` SDK; Azure OpenAI has its own factory
 * (`azure-openai.ts`). One `send` is one HTTP attempt: the SDK's own retries are off and its
 * timeout is out of the way, because the scheduler and the retry policy own both.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { VolleyError } from '../errors.js';
import { OpenAIProvider } from './openai-provider.js';
import { clientOption, clientOptions, envURL, laneID, PLACEHOLDER_KEY } from './sdk-client.js';
import {
  checkOptionKeys,
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

export type { FetchFunction } from './shared.js';

export interface OpenAIProviderOptions {
  /**
   * API key, sent as a bearer token. Local servers (vLLM, Ollama, LM Studio) usually need none:
   * when no key is configured but a base URL is, the placeholder `'not-needed'` is sent.
   * @default env `OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Base URL of the API, including its prefix, e.g. `http://localhost:8000/v1`.
   * @default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1`
   */
  readonly baseURL?: string | undefined;
  /**
   * Model used when a request names none.
   * @default undefined (every request must name its model)
   */
  readonly defaultModel?: string | undefined;
  /**
   * OpenAI organization id, sent as `OpenAI-Organization`.
   * @default env `OPENAI_ORG_ID`
   */
  readonly organization?: string | undefined;
  /**
   * OpenAI project id, sent as `OpenAI-Project`.
   * @default env `OPENAI_PROJECT_ID`
   */
  readonly project?: string | undefined;
  /**
   * Extra headers sent with every request.
   * @default {}
   */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * The fetch used for HTTP, e.g. an in-process simulator's.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchFunction | undefined;
  /**
   * Where the `OPENAI_*` defaults are read from; injected by tests.
   * @default process.env
   */
  readonly env?: Env | undefined;
  /**
   * An `OpenAI` (or `AzureOpenAI`) client to send through instead of building one. Excludes the
   * connection options (`apiKey`, `baseURL`, `organization`, `project`, `defaultHeaders`,
   * `fetch`). Its retries and timeout are overridden per request.
   * @default undefined (a client is built from the other options)
   */
  readonly client?: OpenAI | undefined;
}
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const OPTIONS = [
  'apiKey',
  'baseURL',
  'defaultModel',
  'organization',
  'project',
  'defaultHeaders',
  'fetch',
  'env',
  'client',
] as const;
const CONNECTION_OPTIONS = ['apiKey', 'baseURL', 'organization', 'project', 'defaultHeaders', 'fetch'];

/**
 * A provider for an OpenAI-compatible server. Throws a `TypeError` naming the option for invalid
 * options, and a `VolleyError` with code `authentication` when neither a key nor a base URL is
 * configured (a key is required for api.openai.com; local servers need only the base URL).
 */
export function openai(options?: OpenAIProviderOptions): Provider {
  const fn = 'openai()';
  const opts = checkOptionKeys(fn, options, OPTIONS);
  const env = envOption(fn, opts);
  const defaultModel = stringOption(fn, opts, 'defaultModel');

  const given = clientOption(
    fn,
    opts,
    isChatClient,
    'an OpenAI client (new OpenAI(...) or new AzureOpenAI(...))',
    CONNECTION_OPTIONS,
  );
  if (given !== undefined) {
    const key = typeof given.apiKey === 'string' && given.apiKey !== '' ? given.apiKey : undefined;
    const baseURL = displayURL(given.baseURL);
    const prefix = given instanceof AzureOpenAI ? 'azure-openai' : 'openai';
    return new OpenAIProvider({
      client: given,
      id: laneID(prefix, baseURL, key),
      defaultModel,
      baseURL,
      secrets: key === undefined ? [] : [key],
      keyEnv: prefix === 'azure-openai' ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY',
    });
  }

  const optionKey = stringOption(fn, opts, 'apiKey');
  const configuredURL = urlOption(fn, opts, 'baseURL') ?? envURL(env, 'OPENAI_BASE_URL');
  const key = optionKey ?? readEnv(env, 'OPENAI_API_KEY');
  if (key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No OpenAI API key is configured. Set OPENAI_API_KEY (or pass --api-key / apiKey), ' +
        'or pass --base-url / baseURL to use a local server such as vLLM or Ollama that needs no key.',
    );
  }
  const baseURL = configuredURL ?? DEFAULT_BASE_URL;
  const common = clientOptions(fn, opts, env, 'OPENAI_LOG');
  const client = new OpenAI({
    apiKey: key ?? PLACEHOLDER_KEY,
    baseURL,
    organization: stringOption(fn, opts, 'organization') ?? readEnv(env, 'OPENAI_ORG_ID') ?? null,
    project: stringOption(fn, opts, 'project') ?? readEnv(env, 'OPENAI_PROJECT_ID') ?? null,
    ...common,
  });
  const shownURL = displayURL(baseURL);
  return new OpenAIProvider({
    client,
    id: laneID('openai', shownURL, key),
    defaultModel,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
    keyEnv: 'OPENAI_API_KEY',
  });
}

function isChatClient(value: unknown): value is OpenAI {
  if (value instanceof OpenAI) return true;
  if (!isRecord(value)) return false;
  const chat = (value as { chat?: { completions?: { create?: unknown } } }).chat;
  return typeof chat?.completions?.create === 'function' && typeof value['baseURL'] === 'string';
}
