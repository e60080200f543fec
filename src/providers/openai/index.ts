/**
 * Providers for every OpenAI-compatible chat completions server (OpenAI, vLLM, Ollama, LM Studio,
 * Groq, Together) and for Azure OpenAI (`azure.ts`), on the official `openai` SDK. One `send` is
 * one HTTP attempt: the SDK's retries are off and its timeout out of the way, because the lane owns
 * both. The SDK is imported when the first provider is built, never by importing Volley.
 */
import type OpenAI from 'openai';
import { account, type CommonOptions, PLACEHOLDER_KEY, ProviderOptions } from '../options.js';
import { nonEmpty } from '../shared.js';
import type { Provider } from '../types.js';
import { openAIProvider } from './provider.js';

export interface OpenAIProviderOptions extends CommonOptions {
  /**
   * API key, sent as a bearer token. Local servers (vLLM, Ollama, LM Studio) usually need none:
   * with a base URL but no key, the placeholder `'not-needed'` is sent. @default env `OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /** Base URL of the API, with its prefix, e.g. `http://localhost:8000/v1`. @default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1` */
  readonly baseURL?: string | undefined;
  /** OpenAI organization id, sent as `OpenAI-Organization`. @default env `OPENAI_ORG_ID` */
  readonly organization?: string | undefined;
  /** OpenAI project id, sent as `OpenAI-Project`. @default env `OPENAI_PROJECT_ID` */
  readonly project?: string | undefined;
  /**
   * An `OpenAI` (or `AzureOpenAI`) client to send through instead of building one; excludes the
   * connection options. Its retries and timeout are overridden per request. @default undefined
   */
  readonly client?: OpenAI | undefined;
}

const CONNECTION = ['apiKey', 'baseURL', 'organization', 'project', 'defaultHeaders', 'fetch'];
const NO_KEY =
  'No OpenAI API key is configured. Set OPENAI_API_KEY (or pass apiKey), ' +
  'or pass baseURL to use a local server such as vLLM or Ollama that needs no key.';

/**
 * A provider for an OpenAI-compatible server. Throws an `OptionError` naming the option for
 * invalid options, and a `VolleyError` with code `authentication` when neither a key nor a base
 * URL is configured (api.openai.com needs a key; local servers need only the base URL).
 */
export function openai(options?: OpenAIProviderOptions): Provider {
  const opts = new ProviderOptions('openai()', options, [...CONNECTION, 'defaultModel', 'env', 'client']);
  const what = 'an OpenAI client (new OpenAI(...) or new AzureOpenAI(...))';
  const given = opts.client<OpenAI>(
    (client) => typeof client.chat?.completions?.create === 'function',
    what,
    CONNECTION,
  );
  const { key, baseURL } = given
    ? { key: nonEmpty(given.apiKey), baseURL: given.baseURL }
    : opts.connection('OPENAI', 'https://api.openai.com/v1', NO_KEY);
  const organization = opts.string('organization') ?? opts.readEnv('OPENAI_ORG_ID') ?? null;
  const project = opts.string('project') ?? opts.readEnv('OPENAI_PROJECT_ID') ?? null;
  const sdkOptions = opts.sdkOptions('OPENAI_LOG');
  // A client the caller brought may be an `AzureOpenAI`, known by its API version.
  const azure = typeof (given as { apiVersion?: unknown } | undefined)?.apiVersion === 'string';
  return openAIProvider({
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

export { type AzureOpenAIProviderOptions, azureOpenAI } from './azure.js';
