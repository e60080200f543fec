/**
 * Azure OpenAI, through the `openai` SDK's `AzureOpenAI` client: requests go to
 * `{baseURL}/deployments/{deployment or model}/chat/completions?api-version=...`; everything else
 * is as for `openai()`.
 */
import { VolleyError } from '../../errors.js';
import { OptionError } from '../../options/check.js';
import { account, type CommonOptions, ProviderOptions } from '../options.js';
import { displayURL } from '../shared.js';
import type { Provider } from '../types.js';
import { openAIProvider } from './provider.js';

export interface AzureOpenAIProviderOptions extends CommonOptions {
  /** Azure OpenAI key, sent as `api-key`. Excludes `azureADTokenProvider`. @default env `AZURE_OPENAI_API_KEY` */
  readonly apiKey?: string | undefined;
  /** Returns a Microsoft Entra ID token for each request, instead of a key. @default undefined */
  readonly azureADTokenProvider?: (() => Promise<string>) | undefined;
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`; `/openai` is appended. Excludes `baseURL`. @default env `AZURE_OPENAI_ENDPOINT` */
  readonly endpoint?: string | undefined;
  /** The full base URL, e.g. `https://my-resource.openai.azure.com/openai`, for proxies. @default `${endpoint}/openai` */
  readonly baseURL?: string | undefined;
  /** The Azure OpenAI API version, e.g. `2024-10-21`. Required. @default env `OPENAI_API_VERSION` */
  readonly apiVersion?: string | undefined;
  /** The deployment every request goes to; without it, each request's model names the deployment. @default undefined */
  readonly deployment?: string | undefined;
  /** Model used when a request names none. @default the deployment */
  readonly defaultModel?: string | undefined;
}

const KNOWN = ['apiKey', 'azureADTokenProvider', 'endpoint', 'baseURL', 'apiVersion', 'deployment'];
const fn = 'azureOpenAI()';
function fail(message: string): never {
  throw new OptionError(`${fn}: ${message}`);
}

/** A provider for an Azure OpenAI resource, authenticated by a key or by Microsoft Entra ID. */
export function azureOpenAI(options?: AzureOpenAIProviderOptions): Provider {
  const opts = new ProviderOptions(fn, options, [...KNOWN, 'defaultModel', 'defaultHeaders', 'fetch', 'env']);
  const tokenProvider = opts.function<() => Promise<string>>('azureADTokenProvider');
  for (const [a, b] of [
    ['apiKey', 'azureADTokenProvider'],
    ['endpoint', 'baseURL'],
  ] as const) {
    if (opts.has(a) && opts.has(b)) fail(`options \`${a}\` and \`${b}\` are mutually exclusive; pass one.`);
  }
  const endpoint = opts.url('endpoint') ?? opts.envURL('AZURE_OPENAI_ENDPOINT');
  const baseURL = opts.url('baseURL') ?? (endpoint && `${displayURL(endpoint)}/openai`);
  if (baseURL === undefined)
    fail('option `endpoint` is required (or set AZURE_OPENAI_ENDPOINT, or pass `baseURL`).');
  const apiVersion = opts.string('apiVersion') ?? opts.readEnv('OPENAI_API_VERSION');
  if (apiVersion === undefined)
    fail('option `apiVersion` is required (or set OPENAI_API_VERSION), e.g. "2024-10-21".');
  const key = tokenProvider ? undefined : (opts.string('apiKey') ?? opts.readEnv('AZURE_OPENAI_API_KEY'));
  if (key === undefined && tokenProvider === undefined) {
    const message =
      'No Azure OpenAI key is configured. Set AZURE_OPENAI_API_KEY, pass apiKey, or pass azureADTokenProvider.';
    throw new VolleyError('authentication', message);
  }
  const deployment = opts.string('deployment');
  const sdkOptions = opts.sdkOptions('OPENAI_LOG');
  const shownURL = displayURL(baseURL) + (deployment ? `/deployments/${deployment}` : '');
  return openAIProvider({
    ...account('azure-openai', shownURL, key, 'entra'),
    name: 'azure.ai.openai',
    // Azure's Batch API lines name the path without the version prefix.
    endpoint: '/chat/completions',
    defaultModel: opts.string('defaultModel') ?? deployment,
    keyEnv: 'AZURE_OPENAI_API_KEY',
    client: (sdk) =>
      new sdk.AzureOpenAI({
        ...(key && { apiKey: key }),
        ...(tokenProvider && { azureADTokenProvider: tokenProvider }),
        ...(deployment && { deployment }),
        baseURL,
        apiVersion,
        organization: null,
        project: null,
        ...sdkOptions,
      }),
  });
}
