/**
 * The provider for Azure OpenAI, through the `openai` SDK's `AzureOpenAI` client. Requests go to
 * `{baseURL}/deployments/{deployment or model}/chat/completions?api-version=...`; everything else
 * is as for `openai()`.
 */
import { AzureOpenAI } from 'openai';
import { VolleyError } from '../errors.js';
import { OpenAIProvider } from './openai-provider.js';
import { clientOptions, envURL, laneID } from './sdk-client.js';
import {
  checkOptionKeys,
  displayURL,
  type Env,
  envOption,
  type FetchFunction,
  functionOption,
  readEnv,
  stringOption,
  urlOption,
} from './shared.js';
import type { Provider } from './types.js';

export interface AzureOpenAIProviderOptions {
  /**
   * Azure OpenAI key, sent as `api-key`. Excludes `azureADTokenProvider`.
   * @default env `AZURE_OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Returns a Microsoft Entra ID token for each request, instead of a key.
   * @default undefined
   */
  readonly azureADTokenProvider?: (() => Promise<string>) | undefined;
  /**
   * The resource endpoint, e.g. `https://my-resource.openai.azure.com`; `/openai` is appended.
   * Excludes `baseURL`.
   * @default env `AZURE_OPENAI_ENDPOINT`
   */
  readonly endpoint?: string | undefined;
  /**
   * The full base URL, e.g. `https://my-resource.openai.azure.com/openai`, for proxies.
   * @default `${endpoint}/openai`
   */
  readonly baseURL?: string | undefined;
  /**
   * The Azure OpenAI API version, e.g. `2024-10-21`. Required.
   * @default env `OPENAI_API_VERSION`
   */
  readonly apiVersion?: string | undefined;
  /**
   * The deployment every request goes to. Without it, each request's model names the deployment.
   * @default undefined
   */
  readonly deployment?: string | undefined;
  /**
   * Model used when a request names none.
   * @default the deployment
   */
  readonly defaultModel?: string | undefined;
  /** @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** @default process.env */
  readonly env?: Env | undefined;
}
const OPTIONS = [
  'apiKey',
  'azureADTokenProvider',
  'endpoint',
  'baseURL',
  'apiVersion',
  'deployment',
  'defaultModel',
  'defaultHeaders',
  'fetch',
  'env',
] as const;

/** A provider for an Azure OpenAI resource, authenticated by a key or by Microsoft Entra ID. */
export function azureOpenAI(options?: AzureOpenAIProviderOptions): Provider {
  const fn = 'azureOpenAI()';
  const opts = checkOptionKeys(fn, options, OPTIONS);
  const env = envOption(fn, opts);
  const optionKey = stringOption(fn, opts, 'apiKey');
  const tokenProvider = functionOption<() => Promise<string>>(fn, opts, 'azureADTokenProvider');
  if (optionKey !== undefined && tokenProvider !== undefined) {
    throw new TypeError(
      `${fn}: options "apiKey" and "azureADTokenProvider" are mutually exclusive; pass one.`,
    );
  }
  const optionEndpoint = urlOption(fn, opts, 'endpoint');
  const optionURL = urlOption(fn, opts, 'baseURL');
  if (optionEndpoint !== undefined && optionURL !== undefined) {
    throw new TypeError(`${fn}: options "endpoint" and "baseURL" are mutually exclusive; pass one.`);
  }
  const endpoint = optionEndpoint ?? envURL(env, 'AZURE_OPENAI_ENDPOINT');
  const baseURL = optionURL ?? (endpoint === undefined ? undefined : `${displayURL(endpoint)}/openai`);
  if (baseURL === undefined) {
    throw new TypeError(
      `${fn}: option "endpoint" is required (or set AZURE_OPENAI_ENDPOINT, or pass "baseURL").`,
    );
  }
  const apiVersion = stringOption(fn, opts, 'apiVersion') ?? readEnv(env, 'OPENAI_API_VERSION');
  if (apiVersion === undefined) {
    throw new TypeError(
      `${fn}: option "apiVersion" is required (or set OPENAI_API_VERSION), e.g. "2024-10-21".`,
    );
  }
  const key = tokenProvider === undefined ? (optionKey ?? readEnv(env, 'AZURE_OPENAI_API_KEY')) : undefined;
  if (key === undefined && tokenProvider === undefined) {
    throw new VolleyError(
      'authentication',
      'No Azure OpenAI key is configured. Set AZURE_OPENAI_API_KEY, pass apiKey, or pass azureADTokenProvider.',
    );
  }
  const deployment = stringOption(fn, opts, 'deployment');
  const common = clientOptions(fn, opts, env, 'OPENAI_LOG');
  const client = new AzureOpenAI({
    ...(key === undefined ? {} : { apiKey: key }),
    ...(tokenProvider === undefined ? {} : { azureADTokenProvider: tokenProvider }),
    baseURL,
    apiVersion,
    ...(deployment === undefined ? {} : { deployment }),
    organization: null,
    project: null,
    ...common,
  });
  const shownURL = displayURL(baseURL) + (deployment === undefined ? '' : `/deployments/${deployment}`);
  return new OpenAIProvider({
    client,
    id: laneID('azure-openai', shownURL, key, 'entra'),
    defaultModel: stringOption(fn, opts, 'defaultModel') ?? deployment,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
    keyEnv: 'AZURE_OPENAI_API_KEY',
  });
}
