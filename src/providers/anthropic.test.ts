import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, VolleyError } from '../errors.js';
import { parseDuration } from '../wire/index.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropic } from './anthropic.js';
import { buildAnthropicBody, JSON_OBJECT_INSTRUCTION, readAnthropicUsage } from './anthropic-body.js';
import { failure, fakeFetch, type Handler, json } from './test-support/doubles.js';
import type { ProviderRequest } from './types.js';

const BASE = 'http://fake.local';
const KEY = 'sk-ant-api03-SENTINEL-0123456789abcdefABCDEF';

type Event = { type: string; [field: string]: unknown };

function frame(event: Event | string): string {
  return typeof event === 'string' ? event : `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function sse(events: readonly (Event | string)[], headers: Record<string, string> = {}): Response {
  return new Response(events.map(frame).join(''), {
    status: 200,
    headers: { 'content-type': 'text/event-stream', ...headers },
  });
}

const MESSAGE = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test-20250101',
  content: [
    { type: 'thinking', thinking: 'hmm', signature: 'sig' },
    { type: 'text', text: 'Hello' },
    { type: 'text', text: ' there' },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 12,
    cache_creation_input_tokens: 5,
    cache_read_input_tokens: 3,
    output_tokens: 4,
  },
};

function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { model: 'claude-test', messages: [{ role: 'user', content: 'Hi' }], params: {}, ...overrides };
}

function context(signal: AbortSignal = new AbortController().signal, onDelta?: (text: string) => void) {
  return { signal, onDelta };
}

function provider(handler: Handler, extra: Parameters<typeof anthropic>[0] = {}) {
  const fake = fakeFetch(handler);
  return {
    ...fake,
    provider: anthropic({ apiKey: KEY, baseURL: BASE, fetch: fake.fetch, env: {}, ...extra }),
  };
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_body' };
}

describe('anthropic().send without streaming', () => {
  it('returns text, usage, finish reason, model, headers and request id', async () => {
    const { provider: p, calls } = provider(() =>
      json(MESSAGE, 200, { 'request-id': 'req_abc', 'anthropic-ratelimit-requests-remaining': '49' }),
    );
    const response = await p.send(
      request({ maxTokens: 50, temperature: 0.2, params: { top_k: 5, stop_sequences: ['END'] } }),
      context(),
    );
    expect(response.text).toBe('Hello there');
    expect(response.usage).toEqual({ promptTokens: 20, completionTokens: 4, totalTokens: 24 });
    expect(response.finishReason).toBe('end_turn');
    expect(response.model).toBe('claude-test-20250101');
    expect(response.requestID).toBe('req_abc');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('49');
    expect(response.raw).toMatchObject({ id: 'msg_1', content: MESSAGE.content });

    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe(`${BASE}/v1/messages`);
    expect(call.headers.get('anthropic-version')).toBeTruthy();
    expect(`${call.headers.get('x-api-key')} ${call.headers.get('authorization')}`).toContain(KEY);
    expect(call.body).toEqual({
      model: 'claude-test',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      top_k: 5,
      stop_sequences: ['END'],
    });
  });

  it('sends the default max_tokens when the request sets none', async () => {
    const { provider: p, calls } = provider(() => json(MESSAGE));
    await p.send(request(), context());
    expect(calls[0]!.body['max_tokens']).toBe(ANTHROPIC_DEFAULT_MAX_TOKENS);
    expect(ANTHROPIC_DEFAULT_MAX_TOKENS).toBe(1024);

    const custom = provider(() => json(MESSAGE), { defaultMaxTokens: 300 });
    await custom.provider.send(request(), context());
    expect(custom.calls[0]!.body['max_tokens']).toBe(300);
  });

  it('translates the rate-limit headers for the scheduler', async () => {
    const reset = new Date(Date.now() + 30_000).toISOString();
    const { provider: p } = provider(() =>
      json(MESSAGE, 200, {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': reset,
        'anthropic-ratelimit-tokens-limit': '80000',
        'anthropic-ratelimit-tokens-remaining': '79000',
        'anthropic-ratelimit-tokens-reset': reset,
      }),
    );
    const { headers } = await p.send(request(), context());
    expect(headers.get('x-ratelimit-limit-requests')).toBe('50');
    expect(headers.get('x-ratelimit-limit-tokens')).toBe('80000');
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe('79000');
    for (const kind of ['requests', 'tokens']) {
      const ms = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
      expect(ms).toBeGreaterThan(25_000);
      expect(ms).toBeLessThanOrEqual(30_000);
    }
  });

  it('reports no usage when the server sends none', async () => {
    const { usage: _usage, ...rest } = MESSAGE;
    const { provider: p } = provider(() => json(rest));
    expect((await p.send(request(), context())).usage).toBeUndefined();
  });

  it('maps a refusal to content_filtered', async () => {
    const { provider: p } = provider(() => json({ ...MESSAGE, content: [], stop_reason: 'refusal' }));
    expect((await failure(p.send(request(), context()))).code).toBe('content_filtered');
  });

  it.each([
    [
      'invalid JSON',
      () => new Response('{"content": [', { headers: { 'content-type': 'application/json' } }),
    ],
    ['no content', () => json({ id: 'x', type: 'message' })],
    ['an HTML page', () => new Response('<html>hi</html>', { headers: { 'content-type': 'text/html' } })],
    [
      'an empty body',
      () => new Response('', { headers: { 'content-type': 'application/json', 'content-length': '0' } }),
    ],
  ])('maps %s to malformed_response', async (_name, answer) => {
    const { provider: p } = provider(answer);
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('malformed_response');
    expect(error.message).toMatch(/Anthropic Messages API/);
  });

  it.each([
    [400, 'invalid_request_error', 'max_tokens: must be at most 64000', 'bad_request'],
    [
      400,
      'invalid_request_error',
      'prompt is too long: 250000 tokens > 200000 maximum',
      'context_length_exceeded',
    ],
    [401, 'authentication_error', 'invalid x-api-key', 'authentication'],
    [403, 'permission_error', 'not allowed', 'permission_denied'],
    [404, 'not_found_error', 'model: claude-typo', 'not_found'],
    [413, 'request_too_large', 'Request too large', 'bad_request'],
    [429, 'rate_limit_error', 'rate limited', 'rate_limited'],
    [429, 'rate_limit_error', 'Your credit balance is too low to access the Anthropic API', 'quota_exceeded'],
    [500, 'api_error', 'Internal server error', 'server_error'],
    [529, 'overloaded_error', 'Overloaded', 'server_error'],
  ])('maps %d %s (%s) to %s in exactly one attempt', async (status, type, message, code) => {
    const { provider: p, calls } = provider(() =>
      json(errorBody(type, message), status, { 'request-id': `req_${status}`, 'x-should-retry': 'true' }),
    );
    const error = await failure(p.send(request({ model: 'claude-typo' }), context()));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.requestID).toBe(`req_${status}`);
    expect(calls).toHaveLength(1);
    if (status === 404) {
      expect(error.message).toContain('"claude-typo"');
      expect(error.message).toContain(BASE);
    }
  });

  it('keeps the headers of a 429, translated, with retry-after', async () => {
    const { provider: p } = provider(() =>
      json(errorBody('rate_limit_error', 'slow down'), 429, {
        'retry-after': '2',
        'anthropic-ratelimit-tokens-limit': '80000',
        'anthropic-ratelimit-tokens-remaining': '0',
        'anthropic-ratelimit-tokens-reset': new Date(Date.now() + 2000).toISOString(),
      }),
    );
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('rate_limited');
    expect(error.headers?.get('retry-after')).toBe('2');
    expect(error.headers?.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(error.headers?.get('x-ratelimit-limit-tokens')).toBe('80000');
    expect(parseDuration(error.headers?.get('x-ratelimit-reset-tokens'))).toBeLessThanOrEqual(2000);
  });

  it('maps a connection reset to ConnectionError in exactly one attempt', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { provider: p, calls } = provider(() => {
      throw new TypeError('fetch failed', { cause: reset });
    });
    const error = await failure(p.send(request(), context()));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('ECONNRESET');
    expect(error.message).toContain(BASE);
    expect(calls).toHaveLength(1);
  });

  it('maps a connect timeout from fetch to TimeoutError', async () => {
    const { provider: p } = provider(() => {
      throw new TypeError('fetch failed', { cause: new Error('Connect Timeout Error') });
    });
    const error = await failure(p.send(request(), context()));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('timeout');
  });

  it('keeps the key out of a 401 error and of the provider itself', async () => {
    const { provider: p } = provider(() =>
      json(errorBody('authentication_error', `invalid x-api-key: ${KEY}; Authorization: Bearer ${KEY}`), 401),
    );
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('authentication');
    expect(error.message).toMatch(/Check ANTHROPIC_API_KEY/);
    for (const text of [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 5 }),
      p.id,
      JSON.stringify(p),
      inspect(p, { depth: 5 }),
    ]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(7, 30));
    }
  });
});

describe('anthropic().send with streaming', () => {
  const start: Event = {
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
  const textBlock = (index: number): Event => ({
    type: 'content_block_start',
    index,
    content_block: { type: 'text', text: '' },
  });
  const textDelta = (index: number, text: string): Event => ({
    type: 'content_block_delta',
    index,
    delta: { type: 'text_delta', text },
  });
  const stop = (index: number): Event => ({ type: 'content_block_stop', index });
  const end = (reason = 'end_turn', usage: Record<string, unknown> = { output_tokens: 7 }): Event[] => [
    { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage },
    { type: 'message_stop' },
  ];

  it('reports each text delta and accumulates text, finish reason, usage and the message', async () => {
    const { provider: p, calls } = provider(() =>
      sse(
        [
          start,
          { type: 'ping' },
          textBlock(0),
          textDelta(0, 'Hel'),
          textDelta(0, 'lo'),
          stop(0),
          {
            type: 'content_block_start',
            index: 1,
            content_block: { type: 'tool_use', id: 't1', name: 'f', input: {} },
          },
          {
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json: '{"a":' },
          },
          { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' 1}' } },
          stop(1),
          ...end('tool_use', { output_tokens: 7, input_tokens: null }),
        ],
        { 'request-id': 'req_s', 'anthropic-ratelimit-tokens-remaining': '1000' },
      ),
    );
    const deltas: string[] = [];
    const response = await p.send(
      request({ maxTokens: 5 }),
      context(undefined, (text) => deltas.push(text)),
    );
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(response.text).toBe('Hello');
    expect(response.finishReason).toBe('tool_use');
    expect(response.usage).toEqual({ promptTokens: 12, completionTokens: 7, totalTokens: 19 });
    expect(response.model).toBe('claude-test-20250101');
    expect(response.requestID).toBe('req_s');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    expect(response.raw).toEqual({
      id: 'msg_s',
      type: 'message',
      role: 'assistant',
      model: 'claude-test-20250101',
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 7 },
    });
    expect(calls[0]!.body).toMatchObject({ stream: true, max_tokens: 5 });
  });

  it('maps a stream that ends before its stop reason to connection_error', async () => {
    const { provider: p } = provider(() => sse([start, textBlock(0), textDelta(0, 'Hel')]));
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it.each([
    ['overloaded_error', 'server_error'],
    ['rate_limit_error', 'rate_limited'],
  ])('maps an %s event inside the stream to %s', async (type, code) => {
    const { provider: p } = provider(() =>
      sse([
        start,
        textBlock(0),
        textDelta(0, 'Hel'),
        `event: error\ndata: ${JSON.stringify(errorBody(type, 'x'))}\n\n`,
      ]),
    );
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error.code).toBe(code);
    expect(error.status).toBeUndefined();
  });

  it('maps a refusal to content_filtered', async () => {
    const { provider: p } = provider(() =>
      sse([start, textBlock(0), textDelta(0, 'I'), stop(0), ...end('refusal')]),
    );
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error.code).toBe('content_filtered');
  });

  it('maps a broken event to malformed_response', async () => {
    const { provider: p } = provider(() =>
      sse([start, 'event: content_block_delta\ndata: {"index": 0,\n\n']),
    );
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error.code).toBe('malformed_response');
  });

  it('maps a 529 before the stream starts, in one attempt', async () => {
    const { provider: p, calls } = provider(() => json(errorBody('overloaded_error', 'Overloaded'), 529));
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error.code).toBe('server_error');
    expect(error.status).toBe(529);
    expect(calls).toHaveLength(1);
  });
});

describe('anthropic().send and its signal', () => {
  it('aborts a request in flight', async () => {
    const controller = new AbortController();
    const { provider: p, calls } = provider(
      (call) =>
        new Promise<Response>((_resolve, reject) => {
          call.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const pending = p.send(request(), context(controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toHaveLength(1);
    controller.abort();
    const error = await failure(pending);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe('aborted');
    expect(calls[0]!.signal?.aborted).toBe(true);
  });
});

describe('buildAnthropicBody', () => {
  it('joins system and developer messages into system, keeping the conversation in order', () => {
    const body = buildAnthropicBody(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi', name: 'ann' },
          { role: 'assistant', content: 'Hello' },
          { role: 'developer', content: 'Use French.' },
          { role: 'user', content: [{ type: 'text', text: 'Again' }] },
        ],
      }),
      1024,
      false,
    );
    expect(body).toEqual({
      model: 'claude-test',
      max_tokens: 1024,
      system: 'Be brief.\n\nUse French.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
  });

  it('makes system a list of blocks when any system message has content parts', () => {
    const cached = { type: 'text', text: 'Long context', cache_control: { type: 'ephemeral' } };
    const body = buildAnthropicBody(
      request({
        messages: [
          { role: 'system', content: [cached] },
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      }),
      1024,
      false,
    );
    expect(body['system']).toEqual([cached, { type: 'text', text: 'Be brief.' }]);
  });

  it('asks for JSON only for a JSON responseFormat', () => {
    const asObject = buildAnthropicBody(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        responseFormat: { type: 'json_object' },
      }),
      1024,
      false,
    );
    expect(asObject['system']).toBe(`Be brief.\n\n${JSON_OBJECT_INSTRUCTION}`);
    expect(asObject).not.toHaveProperty('response_format');

    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const withSchema = buildAnthropicBody(
      request({ responseFormat: { type: 'json_schema', json_schema: { name: 'n', schema, strict: true } } }),
      1024,
      false,
    );
    expect(withSchema['system']).toMatch(/JSON Schema/);
    expect(withSchema['system']).toContain(JSON.stringify(schema));

    expect(buildAnthropicBody(request({ responseFormat: { type: 'text' } }), 1024, false)).not.toHaveProperty(
      'system',
    );
  });

  it('lets params override max_tokens and system, but never stream', () => {
    const body = buildAnthropicBody(
      request({ maxTokens: 10, params: { max_tokens: 20, system: 'mine', stream: true } }),
      1024,
      false,
    );
    expect(body).toMatchObject({ max_tokens: 20, system: 'mine' });
    expect(body).not.toHaveProperty('stream');
    expect(buildAnthropicBody(request({ params: { stream: false } }), 1024, true)['stream']).toBe(true);
  });

  it('refuses a tool message with invalid_request, without sending', async () => {
    const { provider: p, calls } = provider(() => json(MESSAGE));
    const error = await failure(
      p.send(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'tool', content: '42' },
          ],
        }),
        context(),
      ),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/tool_result/);
    expect(calls).toHaveLength(0);
  });
});

describe('readAnthropicUsage', () => {
  it('counts cache writes and reads as prompt tokens', () => {
    expect(
      readAnthropicUsage({
        input_tokens: 1,
        cache_creation_input_tokens: 2,
        cache_read_input_tokens: 3,
        output_tokens: 4,
      }),
    ).toEqual({ promptTokens: 6, completionTokens: 4, totalTokens: 10 });
    expect(readAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: null, output_tokens: 1 })).toEqual({
      promptTokens: 5,
      completionTokens: 1,
      totalTokens: 6,
    });
    expect(readAnthropicUsage({})).toBeUndefined();
    expect(readAnthropicUsage(undefined)).toBeUndefined();
  });
});

describe('anthropic() options', () => {
  const hash8 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

  it('builds an id from the base URL and a fingerprint of the key', () => {
    const p = anthropic({ apiKey: KEY, baseURL: `${BASE}/`, env: {} });
    expect(p.id).toBe(`anthropic:${BASE}#${hash8(KEY)}`);
    expect(anthropic({ apiKey: `${KEY}x`, baseURL: BASE, env: {} }).id).not.toBe(p.id);
    expect(anthropic({ apiKey: KEY, env: {} }).id).toBe(`anthropic:https://api.anthropic.com#${hash8(KEY)}`);
    expect(anthropic({ baseURL: 'http://u:secretpw@h:1', env: {} }).id).toBe('anthropic:http://h:1#nokey');
  });

  it('exposes defaultModel', () => {
    expect(anthropic({ apiKey: KEY, defaultModel: 'claude-x', env: {} }).defaultModel).toBe('claude-x');
  });

  it('falls back to the injected environment', async () => {
    const fake = fakeFetch(() => json(MESSAGE));
    const p = anthropic({
      fetch: fake.fetch,
      env: { ANTHROPIC_API_KEY: ` ${KEY} `, ANTHROPIC_BASE_URL: 'http://env.local' },
    });
    await p.send(request(), context());
    expect(p.id).toBe(`anthropic:http://env.local#${hash8(KEY)}`);
    const call = fake.calls[0]!;
    expect(call.url).toBe('http://env.local/v1/messages');
    expect(`${call.headers.get('x-api-key')} ${call.headers.get('authorization')}`).toContain(KEY);
  });

  it('prefers options to the environment, and sends defaultHeaders', async () => {
    const fake = fakeFetch(() => json(MESSAGE));
    const p = anthropic({
      apiKey: 'sk-ant-option-key-123',
      baseURL: BASE,
      fetch: fake.fetch,
      defaultHeaders: { 'anthropic-beta': 'test-beta' },
      env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'http://env.local' },
    });
    await p.send(request(), context());
    const call = fake.calls[0]!;
    expect(call.url).toBe(`${BASE}/v1/messages`);
    const auth = `${call.headers.get('x-api-key')} ${call.headers.get('authorization')}`;
    expect(auth).toContain('sk-ant-option-key-123');
    expect(auth).not.toContain(KEY);
    expect(call.headers.get('anthropic-beta')).toBe('test-beta');
  });

  it('sends a placeholder key to a server that needs none', async () => {
    const fake = fakeFetch(() => json(MESSAGE));
    const p = anthropic({ baseURL: 'http://localhost:4000', fetch: fake.fetch, env: {} });
    await p.send(request(), context());
    expect(
      `${fake.calls[0]!.headers.get('x-api-key')} ${fake.calls[0]!.headers.get('authorization')}`,
    ).toContain('not-needed');
    expect(p.id).toBe('anthropic:http://localhost:4000#nokey');
  });

  it('refuses to start with neither a key nor a base URL', () => {
    let error: unknown;
    try {
      anthropic({ env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VolleyError);
    expect((error as VolleyError).code).toBe('authentication');
    expect((error as VolleyError).message).toMatch(/ANTHROPIC_API_KEY/);
  });

  it.each([
    [{ apiKey: KEY, nope: 1 }, /unknown option "nope"/],
    [{ apiKey: KEY, baseUrl: BASE }, /unknown option "baseUrl". Did you mean "baseURL"\?/],
    [{ apiKey: KEY, baseURL: 42 }, /option "baseURL" must be a URL string/],
    [{ apiKey: KEY, baseURL: 'ftp://x' }, /option "baseURL" must be an http\(s\) URL/],
    [{ apiKey: '' }, /option "apiKey" must be a non-empty string, got an empty string/],
    [{ apiKey: 123 }, /option "apiKey" must be a non-empty string, got a number/],
    [{ apiKey: KEY, defaultModel: '' }, /option "defaultModel" must be a non-empty string/],
    [{ apiKey: KEY, defaultMaxTokens: 0 }, /option "defaultMaxTokens" must be a positive integer, got 0/],
    [{ apiKey: KEY, defaultMaxTokens: 1.5 }, /option "defaultMaxTokens" must be a positive integer, got 1.5/],
    [
      { apiKey: KEY, defaultMaxTokens: '100' },
      /option "defaultMaxTokens" must be a positive integer, got a string/,
    ],
    [{ apiKey: KEY, fetch: 'fetch' }, /option "fetch" must be a function/],
    [{ apiKey: KEY, defaultHeaders: { a: 1 } }, /header "a" must be a string/],
    [{ apiKey: KEY, env: 'x' }, /option "env" must be an object/],
    [{ apiKey: KEY, client: {} }, /option "client" must be an Anthropic client/],
  ])('rejects %o', (options, message) => {
    expect(() => anthropic({ env: {}, ...(options as object) })).toThrow(TypeError);
    expect(() => anthropic({ env: {}, ...(options as object) })).toThrow(message);
  });

  it('rejects options that are not an object, and a bad ANTHROPIC_BASE_URL', () => {
    expect(() => anthropic('sk-ant-x' as never)).toThrow(/options must be an object, got a string/);
    expect(() => anthropic({ env: { ANTHROPIC_BASE_URL: 'localhost:8000' } })).toThrow(
      /ANTHROPIC_BASE_URL must be/,
    );
  });

  it('never echoes a mistyped key in a TypeError', () => {
    let message = '';
    try {
      anthropic({ apiKey: KEY, baseURL: KEY, env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/baseURL/);
    expect(message).not.toContain(KEY);
  });

  it('sends through a client the caller brings, still one attempt', async () => {
    const fake = fakeFetch(() => json(errorBody('overloaded_error', 'Overloaded'), 529));
    const client = new Anthropic({
      apiKey: KEY,
      baseURL: BASE,
      fetch: fake.fetch,
      maxRetries: 5,
      logLevel: 'off',
    });
    const p = anthropic({ client, defaultModel: 'm', env: {} });
    expect(p.id).toBe(`anthropic:${BASE}#${hash8(KEY)}`);
    expect(p.defaultModel).toBe('m');
    expect((await failure(p.send(request(), context()))).code).toBe('server_error');
    expect(fake.calls).toHaveLength(1);
  });

  it('refuses connection options next to a client', () => {
    const client = new Anthropic({ apiKey: KEY, baseURL: BASE });
    expect(() => anthropic({ client, baseURL: BASE, env: {} })).toThrow(
      /"baseURL" cannot be combined with "client"/,
    );
  });
});
