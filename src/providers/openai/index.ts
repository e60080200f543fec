/**
 * Providers for every OpenAI-compatible chat completions server (OpenAI, vLLM, Ollama, LM Studio,
 * Groq, Together) and for Azure OpenAI (`azure.ts`), on the official `openai` SDK. One `send` is
 * one HTTP attempt: the SDK's own retries are off and its timeout out of the way, because the
 * scheduler and the retry policy own both. The SDK is imported when the first provider is built,
 * never by importing Volley.
 */
import type OpenAI from 'openai';
import { VolleyError } from '../../errors.js';
import { account, type Env, type FetchFunction, PLACEHOLDER_KEY, ProviderOptions } from '../options.js';
import { isRecord, nonEmpty } from '../shared.js';
import type { Provider } from '../types.js';
import { OpenAIProvider } from './provider.js';

export interface OpenAIProviderOptions {
  /**
   * API key, sent as a bearer token. Local servers (vLLM, Ollama, LM Studio) usually need none:
   * with a base URL but no key, the placeholder `'not-needed'` is sent.
   * @default env `OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /** Base URL of the API, with its prefix, e.g. `http://localhost:8000/v1`. @default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1` */
  readonly baseURL?: string | undefined;
  /** Model used when a request names none. @default undefined (every request names its model) */
  readonly defaultModel?: string | undefined;
  /** OpenAI organization id, sent as `OpenAI-Organization`. @default env `OPENAI_ORG_ID` */
  readonly organization?: string | undefined;
  /** OpenAI project id, sent as `OpenAI-Project`. @default env `OPENAI_PROJECT_ID` */
  readonly project?: string | undefined;
  /** Extra headers sent with every request. @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** The fetch used for HTTP, e.g. an in-process simulator's. @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** Where the `OPENAI_*` defaults are read from; injected by tests. @default process.env */
  readonly env?: Env | undefined;
  /**
   * An `OpenAI` (or `AzureOpenAI`) client to send through instead of building one. Excludes the
   * connection options (`apiKey`, `baseURL`, `organization`, `project`, `defaultHeaders`,
   * `fetch`). Its retries and timeout are overridden per request.
   * @default undefined (a client is built from the other options)
   */
  readonly client?: OpenAI | undefined;
}

const CONNECTION = ['apiKey', 'baseURL', 'organization', 'project', 'defaultHeaders', 'fetch'];

/**
 * A provider for an OpenAI-compatible server. Throws an `OptionError` naming the option for
 * invalid options, and a `VolleyError` with code `authentication` when neither a key nor a base
 * URL is configured (api.openai.com needs a key; local servers need only the base URL).
 */
export function openai(options?: OpenAIProviderOptions): Provider {
  const opts = new ProviderOptions('openai()', options, [...CONNECTION, 'defaultModel', 'env', 'client']);
  const given = opts.client(
    isChatClient,
    'an OpenAI client (new OpenAI(...) or new AzureOpenAI(...))',
    CONNECTION,
  );
  const configuredURL = given?.baseURL ?? opts.url('baseURL') ?? opts.envURL('OPENAI_BASE_URL');
  const key = given ? nonEmpty(given.apiKey) : (opts.string('apiKey') ?? opts.readEnv('OPENAI_API_KEY'));
  if (!given && key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No OpenAI API key is configured. Set OPENAI_API_KEY (or pass apiKey), ' +
        'or pass baseURL to use a local server such as vLLM or Ollama that needs no key.',
    );
  }
  const baseURL = configuredURL ?? 'https://api.openai.com/v1';
  const organization = opts.string('organization') ?? opts.readEnv('OPENAI_ORG_ID') ?? null;
  const project = opts.string('project') ?? opts.readEnv('OPENAI_PROJECT_ID') ?? null;
  const sdkOptions = opts.sdkOptions('OPENAI_LOG');
  // A client the caller brought may be an `AzureOpenAI`, known by its API version.
  const azure = typeof (given as { apiVersion?: unknown } | undefined)?.apiVersion === 'string';
  return new OpenAIProvider({
    ...account(azure ? 'azure-openai' : 'openai', baseURL, key),
    name: azure ? 'azure.ai.openai' : 'openai',
    endpoint: azure ? '/chat/completions' : '/v1/chat/completions',
    defaultModel: opts.string('defaultModel'),
    keyEnv: azure ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY',
    client: (sdk) =>
      given ??
      new sdk.OpenAI({ apiKey: key ?? PLACEHOLDER_KEY, baseURL, organization, project, ...sdkOptions }),
  });
}

function isChatClient(value: unknown): value is OpenAI {
  const chat = (value as { chat?: { completions?: { create?: unknown } } } | undefined)?.chat;
  return (
    isRecord(value) && typeof chat?.completions?.create === 'function' && typeof value['baseURL'] === 'string'
  );
}

export { type AzureOpenAIProviderOptions, azureOpenAI } from './azure.js';
