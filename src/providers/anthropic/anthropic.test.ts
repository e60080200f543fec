/**
 * What only the Anthropic provider does: its request mapping, its stream of typed events, its
 * rate-limit headers and its own client. What it shares with the OpenAI provider is tested once for
 * both in `providers.test.ts`. Against doubles until the simulator serves the Messages API.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../errors.js';
import { parseDuration } from '../../wire/index.js';
import { ANTHROPIC, live, request, setup, sse } from '../test-support/cases.js';
import { failure, fakeFetch, json } from '../test-support/doubles.js';
import { JSON_OBJECT_INSTRUCTION, messagesBody, readUsage } from './body.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropic } from './index.js';

const KEY = ANTHROPIC.key;
type Event = { type: string; [field: string]: unknown };
const frames = (events: readonly (Event | string)[]) =>
  sse(
    events.map((event) =>
      typeof event === 'string' ? event : `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
    ),
  );
const errorBody = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
  request_id: 'req_body',
});

describe('anthropic() requests', () => {
  it('sends the default max_tokens when the request sets none', async () => {
    const { provider: p, calls } = setup(ANTHROPIC, () => json(ANTHROPIC.answer('x')));
    await p.send(request(), { signal: live() });
    expect(calls[0]!.body['max_tokens']).toBe(ANTHROPIC_DEFAULT_MAX_TOKENS);
    expect(ANTHROPIC_DEFAULT_MAX_TOKENS).toBe(1024);
    expect(anthropic({ apiKey: KEY, defaultMaxTokens: 300, env: {} }).requestBody(request())).toMatchObject({
      max_tokens: 300,
    });
  });

  it.each([
    [0, /`defaultMaxTokens` must be a positive integer, got 0/],
    [1.5, /`defaultMaxTokens` must be a positive integer, got 1.5/],
    ['100', /`defaultMaxTokens` must be a positive integer, got a string/],
  ])('rejects defaultMaxTokens %o', (value, message) => {
    expect(() => anthropic({ apiKey: KEY, defaultMaxTokens: value as number, env: {} })).toThrow(message);
  });

  it('joins system and developer messages into system, keeping the conversation in order', () => {
    const body = messagesBody(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi', name: 'ann' },
          { role: 'assistant', content: 'Hello' },
          { role: 'developer', content: 'Use French.' },
          { role: 'user', content: [{ type: 'text', text: 'Again' }] },
        ],
        temperature: 0.2,
      }),
      1024,
    );
    expect(body).toEqual({
      model: 'model',
      max_tokens: 1024,
      system: 'Be brief.\n\nUse French.',
      temperature: 0.2,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
  });

  it('makes system a list of blocks when any system message has content parts', () => {
    const cached = { type: 'text', text: 'Long context', cache_control: { type: 'ephemeral' } };
    const messages = [
      { role: 'system', content: [cached] },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ] as const;
    expect(messagesBody(request({ messages }), 1024).system).toEqual([
      cached,
      { type: 'text', text: 'Be brief.' },
    ]);
  });

  it('asks for JSON only for a JSON responseFormat', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ] as const;
    const asObject = messagesBody(request({ messages, responseFormat: { type: 'json_object' } }), 1024);
    expect(asObject.system).toBe(`Be brief.\n\n${JSON_OBJECT_INSTRUCTION}`);
    expect(asObject).not.toHaveProperty('response_format');
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const format = { type: 'json_schema', json_schema: { name: 'n', schema, strict: true } } as const;
    const withSchema = messagesBody(request({ responseFormat: format }), 1024);
    expect(withSchema.system).toMatch(/JSON Schema/);
    expect(withSchema.system).toContain(JSON.stringify(schema));
    expect(messagesBody(request({ responseFormat: { type: 'text' } }), 1024)).not.toHaveProperty('system');
  });

  it('lets params override max_tokens and system, but never stream', async () => {
    const body = messagesBody(
      request({ maxTokens: 10, params: { max_tokens: 20, system: 'mine', stream: true } }),
      1024,
    );
    expect(body).toMatchObject({ max_tokens: 20, system: 'mine' });
    expect(body).not.toHaveProperty('stream');
    const { provider: p, calls } = setup(ANTHROPIC, () => ANTHROPIC.stream(['x']));
    await p.send(request({ params: { stream: false } }), { signal: live(), onDelta: () => {} });
    expect(calls[0]!.body['stream']).toBe(true);
  });

  it('refuses a tool message with invalid_request, without sending', async () => {
    const { provider: p, calls } = setup(ANTHROPIC, () => json(ANTHROPIC.answer('x')));
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'tool', content: '42' },
    ] as const;
    const error = await failure(p.send(request({ messages }), { signal: live() }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/tool_result/);
    expect(calls).toHaveLength(0);
  });
});

describe('anthropic() answers', () => {
  it('joins the text blocks, skips thinking, and counts cache reads and writes as prompt tokens', async () => {
    const message = {
      ...(ANTHROPIC.answer('x') as object),
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' there' },
      ],
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 3,
        output_tokens: 4,
      },
    };
    const { provider: p } = setup(ANTHROPIC, () => json(message));
    const response = await p.send(request(), { signal: live() });
    expect(response.text).toBe('Hello there');
    expect(response.usage).toEqual({ promptTokens: 20, completionTokens: 4, totalTokens: 24 });
    expect(readUsage({ input_tokens: 5, cache_read_input_tokens: null, output_tokens: 1 })).toEqual({
      promptTokens: 5,
      completionTokens: 1,
      totalTokens: 6,
    });
    expect(readUsage({})).toBeUndefined();
  });

  it('maps a refusal to content_filtered, whole or streamed', async () => {
    const refused = { ...(ANTHROPIC.answer('I') as object), stop_reason: 'refusal' };
    expect(
      (await failure(setup(ANTHROPIC, () => json(refused)).provider.send(request(), { signal: live() })))
        .code,
    ).toBe('content_filtered');
    const streamed = frames([
      {
        type: 'message_start',
        message: { id: 'm', type: 'message', role: 'assistant', model: 'm', content: [], usage: {} },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'I' } },
      {
        type: 'message_delta',
        delta: { stop_reason: 'refusal', stop_sequence: null },
        usage: { output_tokens: 1 },
      },
    ]);
    const { provider: p } = setup(ANTHROPIC, () => streamed);
    expect((await failure(p.send(request(), { signal: live(), onDelta: () => {} }))).code).toBe(
      'content_filtered',
    );
  });

  it('rebuilds a streamed message with text, tool use and usage, as the whole body would be', async () => {
    const start = {
      type: 'message_start',
      message: {
        id: 'msg_s',
        type: 'message',
        role: 'assistant',
        model: 'claude-test-20250101',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 1 },
      },
    };
    const delta = (index: number, delta: Record<string, unknown>) => ({
      type: 'content_block_delta',
      index,
      delta,
    });
    const { provider: p } = setup(ANTHROPIC, () =>
      frames([
        start,
        { type: 'ping' },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        delta(0, { type: 'text_delta', text: 'Hel' }),
        delta(0, { type: 'text_delta', text: 'lo' }),
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 't1', name: 'f', input: {} },
        },
        delta(1, { type: 'input_json_delta', partial_json: '{"a":' }),
        delta(1, { type: 'input_json_delta', partial_json: ' 1}' }),
        { type: 'content_block_stop', index: 1 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 7, input_tokens: null },
        },
        { type: 'message_stop' },
      ]),
    );
    const deltas: string[] = [];
    const response = await p.send(request(), { signal: live(), onDelta: (text) => deltas.push(text) });
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(response).toMatchObject({
      text: 'Hello',
      finishReason: 'tool_use',
      model: 'claude-test-20250101',
    });
    expect(response.usage).toEqual({ promptTokens: 12, completionTokens: 7, totalTokens: 19 });
    expect(response.raw).toEqual({
      ...start.message,
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 7 },
    });
  });

  it.each([
    ['overloaded_error', 'server_error'],
    ['api_error', 'server_error'],
    ['rate_limit_error', 'rate_limited'],
    ['invalid_request_error', 'bad_request'],
  ])('maps an %s event inside the stream to %s', async (type, code) => {
    const { provider: p } = setup(ANTHROPIC, () => ANTHROPIC.streamError(type, 'x'));
    const error = await failure(p.send(request(), { signal: live(), onDelta: () => {} }));
    expect(error.code).toBe(code);
    expect(error.status).toBeUndefined();
  });

  it('maps a broken event to malformed_response, and a 529 before the stream to server_error', async () => {
    const broken = setup(ANTHROPIC, () => frames(['event: content_block_delta\ndata: {"index": 0,\n\n']));
    expect((await failure(broken.provider.send(request(), { signal: live(), onDelta: () => {} }))).code).toBe(
      'malformed_response',
    );
    const overloaded = setup(ANTHROPIC, () => json(errorBody('overloaded_error', 'Overloaded'), 529));
    const error = await failure(overloaded.provider.send(request(), { signal: live(), onDelta: () => {} }));
    expect(error).toMatchObject({ code: 'server_error', status: 529 });
    expect(error.message).toMatch(/overloaded/);
    expect(overloaded.calls).toHaveLength(1);
  });

  it('maps a connect timeout from fetch to TimeoutError', async () => {
    const { provider: p } = setup(ANTHROPIC, () => {
      throw new TypeError('fetch failed', { cause: new Error('Connect Timeout Error') });
    });
    const error = await failure(p.send(request(), { signal: live() }));
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('anthropic() rate-limit headers', () => {
  const limits = (reset: string) => ({
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '80000',
    'anthropic-ratelimit-tokens-remaining': '79000',
    'anthropic-ratelimit-tokens-reset': reset,
  });

  it('adds the x-ratelimit-* equivalents the lane reads to an answer', async () => {
    const reset = new Date(Date.now() + 30_000).toISOString();
    const { provider: p } = setup(ANTHROPIC, () => json(ANTHROPIC.answer('x'), 200, limits(reset)));
    const { headers } = await p.send(request(), { signal: live() });
    expect(headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
    expect(headers.get('x-ratelimit-limit-requests')).toBe('50');
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe('79000');
    for (const kind of ['requests', 'tokens']) {
      const ms = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(30_000);
    }
  });

  it('adds them to a 429 too, keeping retry-after', async () => {
    const reset = new Date(Date.now() + 2000).toISOString();
    const { provider: p } = setup(ANTHROPIC, () =>
      json(errorBody('rate_limit_error', 'slow down'), 429, { 'retry-after': '2', ...limits(reset) }),
    );
    const error = await failure(p.send(request(), { signal: live() }));
    expect(error.code).toBe('rate_limited');
    expect(error.headers?.get('retry-after')).toBe('2');
    expect(error.headers?.get('x-ratelimit-limit-tokens')).toBe('80000');
    expect(parseDuration(error.headers?.get('x-ratelimit-reset-tokens'))).toBeLessThanOrEqual(2000);
  });
});

describe('anthropic() with a client of its own', () => {
  it('sends through it, still one attempt', async () => {
    const fake = fakeFetch(() => json(errorBody('overloaded_error', 'Overloaded'), 529));
    const client = new Anthropic({
      apiKey: KEY,
      baseURL: ANTHROPIC.base,
      fetch: fake.fetch,
      maxRetries: 5,
      logLevel: 'off',
    });
    const p = anthropic({ client, defaultModel: 'm', env: {} });
    expect(p).toMatchObject({ baseURL: ANTHROPIC.base, defaultModel: 'm', kind: 'anthropic' });
    expect((await failure(p.send(request(), { signal: live() }))).code).toBe('server_error');
    expect(fake.calls).toHaveLength(1);
  });

  it('refuses connection options next to it', () => {
    const client = new Anthropic({ apiKey: KEY, baseURL: ANTHROPIC.base });
    expect(() => anthropic({ client, baseURL: ANTHROPIC.base, env: {} })).toThrow(
      /`baseURL` cannot be combined with `client`/,
    );
  });
});
