/**
 * A benchmark double, not part of the public surface: an in-process provider that answers every
 * request with the start of its last user message. For scheduler benchmarks and large batch
 * tests: no network, deterministic output, and as few allocations per call as a
 * `ProviderResponse` allows. Its bodies are chat completions, read as the OpenAI provider reads them.
 */
import { type Clock, systemClock } from '../clock.js';
import { nonNegative, OptionError, rejectUnknown } from '../options/check.js';
import { chatBody, readCompletion } from '../providers/openai/body.js';
import { abortReason } from '../providers/sdk-provider.js';
import { isRecord } from '../providers/shared.js';
import type {
  ChatMessage,
  Provider,
  ProviderAnswer,
  ProviderRequest,
  ProviderResponse,
  SendContext,
} from '../providers/types.js';

export interface EchoProviderOptions {
  /**
   * How long each answer takes (ms). 0 answers on the next microtask, without a timer.
   * @default 0
   */
  readonly latencyMs?: number | undefined;
  /**
   * The clock that times `latencyMs`.
   * @default systemClock
   */
  readonly clock?: Clock | undefined;
}

/** How many characters of the last user message the answer repeats. */
export const ECHO_LENGTH = 40;
/** Rough characters per token, for plausible usage numbers. */
const CHARS_PER_TOKEN = 4;
/**
 * One empty `Headers` shared by every echo response, to save an allocation per call. Treat it as
 * read-only.
 */
const NO_HEADERS = new Headers();

/** A provider that answers in-process with `ECHO_LENGTH` characters of the last user message. */
export function echoProvider(options: EchoProviderOptions = {}): Provider {
  rejectUnknown(options, ['latencyMs', 'clock']);
  const latency = nonNegative('latencyMs', options.latencyMs) ?? 0;
  const clock: unknown = options.clock;
  if (clock !== undefined && !(isRecord(clock) && typeof clock['now'] === 'function')) {
    throw new OptionError('Expected `clock` to be a Clock with now() and setTimer().');
  }
  return new EchoProvider(latency, options.clock ?? systemClock);
}

class EchoProvider implements Provider {
  readonly id = 'echo';
  readonly kind = 'echo';
  readonly name = 'echo';
  readonly baseURL = 'in-process://echo';
  readonly keyFingerprint = undefined;
  readonly endpoint = '/v1/chat/completions';
  readonly defaultModel = 'echo';
  readonly #latency: number;
  readonly #clock: Clock;

  constructor(latency: number, clock: Clock) {
    this.#latency = latency;
    this.#clock = clock;
  }

  requestBody(request: ProviderRequest) {
    return chatBody(request);
  }

  readBody(body: unknown, model = ''): ProviderAnswer {
    return readCompletion(body, model, this.baseURL, []);
  }

  send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse> {
    const { onDelta } = context;
    if (this.#latency === 0) {
      // Answered before anything could abort it: the signal is not even read (reading it makes it).
      try {
        return Promise.resolve(answer(request, onDelta));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const { signal } = context;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        cancel();
        reject(abortReason(signal));
      };
      const cancel = this.#clock.setTimer(() => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        try {
          resolve(answer(request, onDelta));
        } catch (error) {
          reject(error);
        }
      }, this.#latency);
      if (!settled) signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function textOf(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  for (const part of content) {
    if (isRecord(part) && typeof part['text'] === 'string') return part['text'];
  }
  return '';
}

function answer(request: ProviderRequest, onDelta: ((text: string) => void) | undefined): ProviderResponse {
  const messages = request.messages;
  let promptChars = 0;
  let last = '';
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const text = textOf(message);
    promptChars += text.length;
    if (message.role === 'user') last = text;
  }
  let text = last.length > ECHO_LENGTH ? last.slice(0, ECHO_LENGTH) : last;
  let finishReason = 'stop';
  const maxTokens = request.maxTokens;
  if (maxTokens !== undefined && text.length > maxTokens * CHARS_PER_TOKEN) {
    text = text.slice(0, maxTokens * CHARS_PER_TOKEN);
    finishReason = 'length';
  }
  if (onDelta !== undefined && text !== '') onDelta(text);
  // A few tokens of chat framing per message, as real servers count them.
  const promptTokens = Math.ceil(promptChars / CHARS_PER_TOKEN) + 3 * messages.length;
  const completionTokens = Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
  return {
    text,
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    finishReason,
    model: request.model,
    requestID: undefined,
    headers: NO_HEADERS,
    raw: null,
  };
}
