/**
 * Sends one chat completion attempt through an `openai` client (`OpenAI` or `AzureOpenAI`), with or
 * without streaming, and reads the answer into a `ProviderResponse`.
 */
import type OpenAI from 'openai';
import { VolleyError } from '../errors.js';
import { buildBody, describeBody, readUsage } from './openai-body.js';
import { mapOpenAIError } from './openai-errors.js';
import { CompletionAccumulator } from './openai-stream.js';
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
import { isRecord, quote } from './shared.js';
import type { ProviderRequest, ProviderResponse } from './types.js';

export interface OpenAIProviderInit extends SdkProviderInit {
  readonly client: OpenAI;
  /** The environment variable the key came from, named in 401 messages. */
  readonly keyEnv: string;
}

export class OpenAIProvider extends SdkProvider {
  readonly #client: OpenAI;
  readonly #keyEnv: string;

  constructor(init: OpenAIProviderInit) {
    super(init);
    this.#client = init.client;
    this.#keyEnv = init.keyEnv;
  }

  protected override mapError(error: unknown, context: SdkErrorContext): VolleyError {
    return mapOpenAIError(error, { ...context, keyEnv: this.#keyEnv });
  }

  protected override async complete(
    request: ProviderRequest,
    signal: AbortSignal,
  ): Promise<ProviderResponse> {
    const body = buildBody(request, false) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { data: raw, response } = await unlessAborted(signal, () =>
      this.#client.chat.completions.create(body, requestOptions(signal)).withResponse(),
    );
    const meta = responseMeta(response, 'x-request-id', raw);
    const choice = isRecord(raw) && Array.isArray(raw['choices']) ? raw['choices'][0] : undefined;
    const message = isRecord(choice) ? choice['message'] : undefined;
    if (!isRecord(raw) || !isRecord(message)) {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.baseURL} answered without a chat completion choice ` +
          `(${describeBody(raw)}). Check that the base URL points at an OpenAI-compatible /chat/completions API.`,
        meta,
      );
    }
    const content = message['content'];
    if (content !== null && content !== undefined && typeof content !== 'string') {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.baseURL} sent message content that is not text. Check that it is OpenAI-compatible.`,
        meta,
      );
    }
    const text = content ?? '';
    const finishReason = typeof choice?.['finish_reason'] === 'string' ? choice['finish_reason'] : null;
    const refusal = typeof message['refusal'] === 'string' ? message['refusal'] : '';
    this.#checkFiltered(text, refusal, finishReason, meta);
    const { requestID, headers } = meta;
    const model = typeof raw['model'] === 'string' && raw['model'] !== '' ? raw['model'] : request.model;
    return { text, usage: readUsage(raw['usage']), finishReason, model, requestID, headers, raw };
  }

  protected override async stream(
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<ProviderResponse> {
    const body = buildBody(request, true) as unknown as OpenAI.ChatCompletionCreateParamsStreaming;
    const answer = new CompletionAccumulator(request.model);
    const response = await readEvents(
      signal,
      () => this.#client.chat.completions.create(body, requestOptions(signal)).withResponse(),
      (chunk) => answer.apply(chunk, onDelta),
    );
    const meta = responseMeta(response, 'x-request-id');
    const { text, refusal, finishReason, usage, model } = answer;
    if (finishReason === null) throw streamEndedEarly(this.baseURL, meta);
    this.#checkFiltered(text, refusal, finishReason, meta);
    const { requestID, headers } = meta;
    return { text, usage, finishReason, model, requestID, headers, raw: answer.toCompletion() };
  }

  /** A refusal, or a filtered answer with no text, is not an answer the caller can use. */
  #checkFiltered(text: string, refusal: string, finishReason: string | null, meta: ResponseMeta): void {
    if (refusal !== '') {
      throw new VolleyError(
        'content_filtered',
        `The model refused to answer: "${quote(refusal, this.secrets, 200)}". ` +
          'Rephrase the request; retrying the same input will usually not help.',
        meta,
      );
    }
    if (text === '' && finishReason === 'content_filter') {
      throw new VolleyError(
        'content_filtered',
        "The server's content filter withheld the answer. Rephrase the request; retrying the same input will usually not help.",
        meta,
      );
    }
  }
}
