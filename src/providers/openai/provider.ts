/**
 * Sends one chat completion attempt through an `openai` client (`OpenAI` or `AzureOpenAI`), with or
 * without streaming. The SDK is loaded, and the client built, when the provider is built; the first
 * `send` waits for them.
 */
import type OpenAI from 'openai';
import { answered, attempt, metaOf, once, report, streamEndedEarly } from '../attempt.js';
import type { ErrorContext } from '../errors.js';
import { type Account, requestOptions } from '../options.js';
import type {
  Provider,
  ProviderAnswer,
  ProviderRequest,
  ProviderResponse,
  SdkClient,
  SendContext,
} from '../types.js';
import { type ChatBody, chatBody, readCompletion, streamBody } from './body.js';
import { mapOpenAIError, type OpenAIModule } from './errors.js';
import { CompletionReader } from './stream.js';

/** The `openai` package, imported once, when the first OpenAI-compatible provider is built. */
const loadSdk = once(() => import('openai'));

export interface OpenAIProviderInit extends Account {
  /** `openai`, or `azure.ai.openai`. */
  readonly name: string;
  /** What a Batch API line names: `/v1/chat/completions` (`/chat/completions` on Azure). */
  readonly endpoint: string;
  readonly defaultModel: string | undefined;
  readonly keyEnv: string;
  /** The client to send through, built once the SDK is loaded (or the caller's own). */
  readonly client: (sdk: OpenAIModule) => OpenAI;
}

export class OpenAIProvider implements Provider {
  readonly kind = 'openai';
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly baseURL: string;
  readonly keyFingerprint: string | undefined;
  readonly defaultModel: string | undefined;
  // Private, so that logging or serializing a provider never shows a key.
  readonly #context: ErrorContext;
  readonly #ready: Promise<{ sdk: OpenAIModule; client: OpenAI }>;

  constructor(init: OpenAIProviderInit) {
    ({ id: this.id, name: this.name, endpoint: this.endpoint, baseURL: this.baseURL } = init);
    ({ keyFingerprint: this.keyFingerprint, defaultModel: this.defaultModel } = init);
    this.#context = { baseURL: init.baseURL, secrets: init.secrets, keyEnv: init.keyEnv };
    // Loading starts as the provider is built, so that it overlaps whatever comes before the first
    // call; a failure surfaces there.
    this.#ready = loadSdk().then((sdk) => ({ sdk, client: init.client(sdk) }));
    this.#ready.catch(() => {});
  }

  requestBody(request: ProviderRequest): ChatBody {
    return chatBody(request);
  }

  readBody(body: unknown, model = ''): ProviderAnswer {
    return readCompletion(body, model, this.baseURL, this.#context.secrets);
  }

  /** The SDK and the client `send` uses, with this provider's error mapping (see `SdkClient`). */
  async sdkClient(): Promise<SdkClient<OpenAIModule, OpenAI>> {
    const { sdk, client } = await this.#ready;
    return { sdk, client, mapError: (error) => mapOpenAIError(error, sdk, this.#context) };
  }

  async send(request: ProviderRequest, { signal, onDelta }: SendContext): Promise<ProviderResponse> {
    const { sdk, client } = await this.#ready;
    return attempt(
      signal,
      (signal) =>
        onDelta ? this.#stream(client, request, signal, onDelta) : this.#complete(client, request, signal),
      (error) => mapOpenAIError(error, sdk, { ...this.#context, model: request.model }),
    );
  }

  async #complete(client: OpenAI, request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const { data, response, request_id } = await client.chat.completions
      .create(chatBody(request), requestOptions(signal))
      .withResponse();
    return answered(metaOf(response, request_id), data, () => this.readBody(data, request.model));
  }

  async #stream(
    client: OpenAI,
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ) {
    const { data, response, request_id } = await client.chat.completions
      .create(streamBody(request), requestOptions(signal))
      .withResponse();
    const reader = new CompletionReader(request.model);
    for await (const chunk of data) report(signal, onDelta, reader.add(chunk));
    const meta = metaOf(response, request_id);
    if (!reader.finished) throw streamEndedEarly(this.baseURL, meta);
    const raw = reader.completion();
    return answered(meta, raw, () => this.readBody(raw, request.model));
  }
}
