/**
 * Sends one Messages API attempt through an Anthropic client, with or without streaming. The SDK
 * is loaded, and the client built, when the provider is built; the first `send` waits for them.
 * Anthropic's `anthropic-ratelimit-*` headers get the `x-ratelimit-*` names the lane reads.
 */
import type Anthropic from '@anthropic-ai/sdk';
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
import { type MessagesBody, messagesBody, readMessage } from './body.js';
import { type AnthropicModule, mapAnthropicError } from './errors.js';
import { translateRateLimitHeaders } from './headers.js';
import { MessageReader } from './stream.js';

/** The `@anthropic-ai/sdk` package, imported once, when the first Anthropic provider is built. */
const loadSdk = once(() => import('@anthropic-ai/sdk'));

export interface AnthropicProviderInit extends Account {
  readonly defaultModel: string | undefined;
  readonly defaultMaxTokens: number;
  /** The client to send through, built once the SDK is loaded (or the caller's own). */
  readonly client: (sdk: AnthropicModule) => Anthropic;
}

export class AnthropicProvider implements Provider {
  readonly kind = 'anthropic';
  readonly name = 'anthropic';
  readonly endpoint = '/v1/messages';
  readonly id: string;
  readonly baseURL: string;
  readonly keyFingerprint: string | undefined;
  readonly defaultModel: string | undefined;
  readonly #defaultMaxTokens: number;
  // Private, so that logging or serializing a provider never shows a key.
  readonly #context: ErrorContext;
  readonly #ready: Promise<{ sdk: AnthropicModule; client: Anthropic }>;

  constructor(init: AnthropicProviderInit) {
    ({
      id: this.id,
      baseURL: this.baseURL,
      keyFingerprint: this.keyFingerprint,
      defaultModel: this.defaultModel,
    } = init);
    this.#defaultMaxTokens = init.defaultMaxTokens;
    this.#context = { baseURL: init.baseURL, secrets: init.secrets, keyEnv: 'ANTHROPIC_API_KEY' };
    // Loading starts as the provider is built, so that it overlaps whatever comes before the first
    // call; a failure surfaces there.
    this.#ready = loadSdk().then((sdk) => ({ sdk, client: init.client(sdk) }));
    this.#ready.catch(() => {});
  }

  requestBody(request: ProviderRequest): MessagesBody {
    return messagesBody(request, this.#defaultMaxTokens);
  }

  readBody(body: unknown, model = ''): ProviderAnswer {
    return readMessage(body, model, this.baseURL);
  }

  /** The SDK and the client `send` uses, with this provider's error mapping (see `SdkClient`). */
  async sdkClient(): Promise<SdkClient<AnthropicModule, Anthropic>> {
    const { sdk, client } = await this.#ready;
    return { sdk, client, mapError: (error) => mapAnthropicError(error, sdk, this.#context) };
  }

  async send(request: ProviderRequest, { signal, onDelta }: SendContext): Promise<ProviderResponse> {
    const { sdk, client } = await this.#ready;
    return attempt(
      signal,
      (signal) =>
        onDelta ? this.#stream(client, request, signal, onDelta) : this.#complete(client, request, signal),
      (error) => mapAnthropicError(error, sdk, { ...this.#context, model: request.model }),
    );
  }

  async #complete(
    client: Anthropic,
    request: ProviderRequest,
    signal: AbortSignal,
  ): Promise<ProviderResponse> {
    const { data, response, request_id } = await client.messages
      .create(this.requestBody(request), requestOptions(signal))
      .withResponse();
    const meta = metaOf(response, request_id, translateRateLimitHeaders(response.headers));
    return answered(meta, data, () => this.readBody(data, request.model));
  }

  async #stream(
    client: Anthropic,
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ) {
    const { data, response, request_id } = await client.messages
      .create({ ...this.requestBody(request), stream: true }, requestOptions(signal))
      .withResponse();
    const reader = new MessageReader();
    for await (const event of data) report(signal, onDelta, reader.add(event));
    const meta = metaOf(response, request_id, translateRateLimitHeaders(response.headers));
    const raw = reader.message();
    if (!reader.finished || raw === undefined) throw streamEndedEarly(this.baseURL, meta);
    return answered(meta, raw, () => this.readBody(raw, request.model));
  }
}
