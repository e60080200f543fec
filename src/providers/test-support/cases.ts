/**
 * The two SDK-based providers described alike, so that one suite (`providers.test.ts`) tests what
 * they share: each case builds its provider over a recording fetch and writes answers, streams and
 * errors in its own wire format.
 */
import { anthropic } from '../anthropic/index.js';
import { openai } from '../openai/index.js';
import type { Provider, ProviderRequest } from '../types.js';
import { fakeFetch, type Handler, json } from './doubles.js';

export interface ProviderCase {
  readonly name: 'openai' | 'anthropic';
  readonly base: string;
  /** A sentinel key: it must never appear in any message, JSON, stack or cause. */
  readonly key: string;
  readonly keyEnv: string;
  readonly baseEnv: string;
  readonly defaultBase: string;
  /** Where a call is posted. */
  readonly url: string;
  readonly requestIDHeader: string;
  build(options: Record<string, unknown>): Provider;
  /** A 200 answer with `text` (and a tool call when `tool`), usage 12 + 3. */
  answer(text: string, options?: { tool?: boolean; model?: string }): unknown;
  /** A streamed answer in `pieces`; without `finish`, cut before the server says it is done. */
  stream(pieces: readonly string[], finish?: boolean): Response;
  /** The stream with an error event after its first piece. */
  streamError(type: string, message: string): Response;
  /** An error status with the provider's error body. */
  error(status: number, message: string, headers?: Record<string, string>, type?: string): Response;
}

export function sse(frames: readonly string[], headers: Record<string, string> = {}): Response {
  return new Response(frames.join(''), {
    status: 200,
    headers: { 'content-type': 'text/event-stream', ...headers },
  });
}

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const event = (value: { type: string; [field: string]: unknown }) => `event: ${value.type}\n${data(value)}`;

const USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => {
  const choices = [{ index: 0, delta, finish_reason: finish }];
  return { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: 'model-2025', choices };
};

export const OPENAI: ProviderCase = {
  name: 'openai',
  base: 'http://fake.local/v1',
  key: 'sk-SENTINEL-0123456789abcdefABCDEF',
  keyEnv: 'OPENAI_API_KEY',
  baseEnv: 'OPENAI_BASE_URL',
  defaultBase: 'https://api.openai.com/v1',
  url: 'http://fake.local/v1/chat/completions',
  requestIDHeader: 'x-request-id',
  build: (options) => openai(options),
  answer: (text, { tool = false, model = 'model-2025' } = {}) => {
    const call = { id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const calls = tool ? { tool_calls: [call] } : {};
    const message = { role: 'assistant', content: text || null, refusal: null, ...calls };
    const choice = { index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop', logprobs: null };
    return {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model,
      choices: [choice],
      usage: USAGE,
    };
  },
  stream: (pieces, finish = true) =>
    sse([
      ...pieces.map((piece) => data(chunk({ content: piece }))),
      ...(finish
        ? [data(chunk({}, 'stop')), data({ ...chunk({}), choices: [], usage: USAGE }), 'data: [DONE]\n\n']
        : []),
    ]),
  streamError: (type, message) => sse([data(chunk({ content: 'Hel' })), data({ error: { message, type } })]),
  error: (status, message, headers = {}, type = 'invalid_request_error') =>
    json({ error: { message, type, param: null, code: null } }, status, headers),
};

const MESSAGE = { id: 'msg_1', type: 'message', role: 'assistant', stop_sequence: null };
const message = (model: string, content: unknown[], usage: object, stop: string | null = null) => ({
  ...MESSAGE,
  ...{ model, content, stop_reason: stop, usage },
});
const textDelta = (text: string) =>
  event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
const textStart = event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });

export const ANTHROPIC: ProviderCase = {
  name: 'anthropic',
  base: 'http://fake.local',
  key: 'sk-ant-api03-SENTINEL-0123456789abcdefABCDEF',
  keyEnv: 'ANTHROPIC_API_KEY',
  baseEnv: 'ANTHROPIC_BASE_URL',
  defaultBase: 'https://api.anthropic.com',
  url: 'http://fake.local/v1/messages',
  requestIDHeader: 'request-id',
  build: (options) => anthropic(options),
  answer: (text, { tool = false, model = 'model-2025' } = {}) => {
    const content = [
      ...(text ? [{ type: 'text', text }] : []),
      ...(tool ? [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] : []),
    ];
    return message(model, content, { input_tokens: 12, output_tokens: 3 }, tool ? 'tool_use' : 'end_turn');
  },
  stream: (pieces, finish = true) =>
    sse([
      event({
        type: 'message_start',
        message: message('model-2025', [], { input_tokens: 12, output_tokens: 1 }),
      }),
      textStart,
      ...pieces.map(textDelta),
      ...(finish
        ? [
            event({ type: 'content_block_stop', index: 0 }),
            event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
            event({ type: 'message_stop' }),
          ]
        : []),
    ]),
  streamError: (type, message_) =>
    sse([
      event({ type: 'message_start', message: message('m', [], {}) }),
      textStart,
      textDelta('Hel'),
      event({ type: 'error', error: { type, message: message_ } }),
    ]),
  error: (status, message, headers = {}, type = 'invalid_request_error') =>
    json({ type: 'error', error: { type, message }, request_id: 'req_body' }, status, headers),
};

export const CASES: readonly ProviderCase[] = [OPENAI, ANTHROPIC];

/** The case's provider over a recording fetch answered by `handler`. */
export function setup(c: ProviderCase, handler: Handler, extra: Record<string, unknown> = {}) {
  const fake = fakeFetch(handler);
  const provider = c.build({ apiKey: c.key, baseURL: c.base, fetch: fake.fetch, env: {}, ...extra });
  return { ...fake, provider };
}

export function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { model: 'model', messages: [{ role: 'user', content: 'Hi' }], params: {}, ...overrides };
}

export const live = (): AbortSignal => new AbortController().signal;
