/**
 * The provider for Azure OpenAI, through the `openai` SDK's `AzureOpenAI` client. Requests go to
 * `{baseURL}/deployments/{deployment or model}/chat/completions?api-version=...`; everything else
 * is as for `openai()`.
 */
import { VolleyError } from '../../errors.js';
import { OptionError } from '../../options/check.js';
import { account, type Env, type FetchFunction, ProviderOptions } from '../options.js';
import { displayURL } from '../shared.js';
import type { Provider } from '../types.js';
import { OpenAIProvider } from './provider.js';

export interface AzureOpenAIProviderOptions {
  /** Azure OpenAI key, sent as `api-key`. Excludes `azureADTokenProvider`. @default env `AZURE_OPENAI_API_KEY` */
  readonly apiKey?: string | undefined;
  /** Returns a Microsoft Entra ID token for each request, instead of a key. @default undefined */
  readonly azureADTokenProvider?: (() => Promise<string>) | undefined;
  /**
   * The resource endpoint, e.g. `https://my-resource.openai.azure.com`; `/openai` is appended.
   * Excludes `baseURL`.
   * @default env `AZURE_OPENAI_ENDPOINT`
   */
  readonly endpoint?: string | undefined;
  /** The full base URL, e.g. `https://my-resource.openai.azure.com/openai`, for proxies. @default `${endpoint}/openai` */
  readonly baseURL?: string | undefined;
  /** The Azure OpenAI API version, e.g. `2024-10-21`. Required. @default env `OPENAI_API_VERSION` */
  readonly apiVersion?: string | undefined;
  /** The deployment every request goes to; without it, each request's model names the deployment. @default undefined */
  readonly deployment?: string | undefined;
  /** Model used when a request names none. @default the deployment */
  readonly defaultModel?: string | undefined;
  /** @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** @default process.env */
  readonly env?: Env | undefined;
}

const OPTIONS = ['apiKey', 'azureADTokenProvider', 'endpoint', 'baseURL', 'apiVersion', 'deployment'];

/** A provider for an Azure OpenAI resource, authenticated by a key or by Microsoft Entra ID. */
export function azureOpenAI(options?: AzureOpenAIProviderOptions): Provider {
  const fn = 'azureOpenAI()';
  const opts = new ProviderOptions(fn, options, [
    ...OPTIONS,
    'defaultModel',
    'defaultHeaders',
    'fetch',
    'env',
  ]);
  const tokenProvider = opts.function<() => Promise<string>>('azureADTokenProvider');
  for (const [a, b] of [
    ['apiKey', 'azureADTokenProvider'],
    ['endpoint', 'baseURL'],
  ] as const) {
    if (opts.has(a) && opts.has(b))
      throw new OptionError(`${fn}: options \`${a}\` and \`${b}\` are mutually exclusive; pass one.`);
  }
  const endpoint = opts.url('endpoint') ?? opts.envURL('AZURE_OPENAI_ENDPOINT');
  const baseURL =
    opts.url('baseURL') ?? (endpoint === undefined ? undefined : `${displayURL(endpoint)}/openai`);
  if (baseURL === undefined) {
    throw new OptionError(
      `${fn}: option \`endpoint\` is required (or set AZURE_OPENAI_ENDPOINT, or pass \`baseURL\`).`,
    );
  }
  const apiVersion = opts.string('apiVersion') ?? opts.readEnv('OPENAI_API_VERSION');
  if (apiVersion === undefined) {
    throw new OptionError(
      `${fn}: option \`apiVersion\` is required (or set OPENAI_API_VERSION), e.g. "2024-10-21".`,
    );
  }
  const key =
    tokenProvider === undefined ? (opts.string('apiKey') ?? opts.readEnv('AZURE_OPENAI_API_KEY')) : undefined;
  if (key === undefined && tokenProvider === undefined) {
    throw new VolleyError(
      'authentication',
      'No Azure OpenAI key is configured. Set AZURE_OPENAI_API_KEY, pass apiKey, or pass azureADTokenProvider.',
    );
  }
  const deployment = opts.string('deployment');
  const sdkOptions = opts.sdkOptions('OPENAI_LOG');
  const shownURL = displayURL(baseURL) + (deployment === undefined ? '' : `/deployments/${deployment}`);
  return new OpenAIProvider({
    ...account('azure-openai', shownURL, key, 'entra'),
    name: 'azure.ai.openai',
    // Azure's Batch API lines name the path without the version prefix.
    endpoint: '/chat/completions',
    defaultModel: opts.string('defaultModel') ?? deployment,
    keyEnv: 'AZURE_OPENAI_API_KEY',
    client: (sdk) =>
      new sdk.AzureOpenAI({
        ...(key === undefined ? {} : { apiKey: key }),
        ...(tokenProvider === undefined ? {} : { azureADTokenProvider: tokenProvider }),
        baseURL,
        apiVersion,
        ...(deployment === undefined ? {} : { deployment }),
        organization: null,
        project: null,
        ...sdkOptions,
      }),
  });
}
