/**
 * An in-process provider that answers every request with the start of its last user message. For
 * scheduler benchmarks and large batch tests: no network, deterministic output, and as few
 * allocations per call as a `ProviderResponse` allows.
 */
import { type Clock, systemClock } from '../clock.js';
import { abortReason, checkOptionKeys, describeType, isRecord } from './shared.js';
import type { ChatMessage, Provider, ProviderRequest, ProviderResponse, SendContext } from './types.js';

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
export function echoProvider(options?: EchoProviderOptions): Provider {
  const fn = 'echoProvider()';
  const opts = checkOptionKeys(fn, options, ['latencyMs', 'clock']);
  const latency = opts['latencyMs'];
  if (latency !== undefined && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) {
    const got = typeof latency === 'number' ? String(latency) : describeType(latency);
    throw new TypeError(`${fn}: option "latencyMs" must be a finite number >= 0, got ${got}.`);
  }
  const clock = opts['clock'];
  if (
    clock !== undefined &&
    !(isRecord(clock) && typeof clock['now'] === 'function' && typeof clock['setTimer'] === 'function')
  ) {
    throw new TypeError(
      `${fn}: option "clock" must be a Clock with now() and setTimer(), got ${describeType(clock)}.`,
    );
  }
  return new EchoProvider(latency ?? 0, (clock as Clock | undefined) ?? systemClock);
}

class EchoProvider implements Provider {
  readonly id = 'echo';
  readonly defaultModel = 'echo';
  readonly #latency: number;
  readonly #clock: Clock;

  constructor(latency: number, clock: Clock) {
    this.#latency = latency;
    this.#clock = clock;
  }

  send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse> {
    const { signal, onDelta } = context;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.#latency === 0) {
      try {
        return Promise.resolve(answer(request, onDelta));
      } catch (error) {
        return Promise.reject(error);
      }
    }
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
