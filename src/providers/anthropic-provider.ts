/**
 * Sends one Messages API attempt through an Anthropic client, with or without streaming, and reads
 * the answer into a `ProviderResponse`. Anthropic's `anthropic-ratelimit-*` headers are translated
 * to the `x-ratelimit-*` ones the scheduler reads (see `anthropic-headers.ts`).
 */
import type Anthropic from '@anthropic-ai/sdk';
import { VolleyError } from '../errors.js';
import { buildAnthropicBody, describeBody, readAnthropicUsage } from './anthropic-body.js';
import { mapAnthropicError } from './anthropic-errors.js';
import { translateRateLimitHeaders } from './anthropic-headers.js';
import { MessageAccumulator } from './anthropic-stream.js';
import { requestOptions } from './sdk-client.js';
import type { SdkErrorContext } from './sdk-error-profile.js';
import { SdkProvider, type SdkProviderInit } from './sdk-provider.js';
import {
  type ResponseMeta,
  readEvents,
  responseMeta,
  streamEndedEarly,
  unlessAborted,
} from './send-support.js';
import { isRecord } from './shared.js';
import type { ProviderRequest, ProviderResponse } from './types.js';

export interface AnthropicProviderInit extends SdkProviderInit {
  readonly client: Anthropic;
  readonly id: string;
  readonly defaultModel: string | undefined;
  readonly defaultMaxTokens: number;
  readonly baseURL: string;
  readonly secrets: readonly string[];
}

const REQUEST_ID_HEADER = 'request-id';
const translate = (headers: Headers) => translateRateLimitHeaders(headers);

export class AnthropicProvider extends SdkProvider {
  readonly #client: Anthropic;
  readonly #defaultMaxTokens: number;

  constructor(init: AnthropicProviderInit) {
    super(init);
    this.#client = init.client;
    this.#defaultMaxTokens = init.defaultMaxTokens;
  }

  protected override mapError(error: unknown, context: SdkErrorContext): VolleyError {
    return mapAnthropicError(error, { ...context, keyEnv: 'ANTHROPIC_API_KEY' });
  }

  protected override async complete(
    request: ProviderRequest,
    signal: AbortSignal,
  ): Promise<ProviderResponse> {
    const body = buildAnthropicBody(request, this.#defaultMaxTokens, false);
    const { data: raw, response } = await unlessAborted(signal, () =>
      this.#client.messages
        .create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, requestOptions(signal))
        .withResponse(),
    );
    const meta = responseMeta(response, REQUEST_ID_HEADER, raw, translate);
    if (!isRecord(raw) || !Array.isArray(raw['content'])) {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.baseURL} answered without a message (${describeBody(raw)}). ` +
          'Check that the base URL points at the Anthropic Messages API (without /v1).',
        meta,
      );
    }
    const text = raw['content']
      .map((block) =>
        isRecord(block) && block['type'] === 'text' && typeof block['text'] === 'string' ? block['text'] : '',
      )
      .join('');
    const finishReason = typeof raw['stop_reason'] === 'string' ? raw['stop_reason'] : null;
    checkRefusal(finishReason, meta);
    const { requestID, headers } = meta;
    const model = typeof raw['model'] === 'string' && raw['model'] !== '' ? raw['model'] : request.model;
    return { text, usage: readAnthropicUsage(raw['usage']), finishReason, model, requestID, headers, raw };
  }

  protected override async stream(
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<ProviderResponse> {
    const body = buildAnthropicBody(request, this.#defaultMaxTokens, true);
    const message = new MessageAccumulator(request.model);
    const response = await readEvents(
      signal,
      () =>
        this.#client.messages
          .create(body as unknown as Anthropic.MessageCreateParamsStreaming, requestOptions(signal))
          .withResponse(),
      (event) => {
        const piece = message.apply(event);
        if (piece !== undefined) onDelta(piece);
      },
    );
    const meta = responseMeta(response, REQUEST_ID_HEADER, undefined, translate);
    if (message.stopReason === null) throw streamEndedEarly(this.baseURL, meta);
    checkRefusal(message.stopReason, meta);
    return {
      text: message.text,
      usage: readAnthropicUsage(message.usage),
      finishReason: message.stopReason,
      model: message.model,
      requestID: meta.requestID,
      headers: meta.headers,
      raw: message.toMessage(),
    };
  }
}

/** A refusal is not an answer the caller can use, whatever text came before it. */
function checkRefusal(finishReason: string | null, meta: ResponseMeta): void {
  if (finishReason === 'refusal') {
    throw new VolleyError(
      'content_filtered',
      'The model declined to answer (stop_reason "refusal"). Rephrase the request; retrying the same input will usually not help.',
      meta,
    );
  }
}
