import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, VolleyError } from '../errors.js';
import { azureOpenAI } from './azure-openai.js';
import { openai } from './openai.js';
import { buildBody } from './openai-body.js';
import { failure, fakeFetch, type Handler, json } from './test-support/doubles.js';
import type { ProviderRequest } from './types.js';

const BASE = 'http://fake.local/v1';
const KEY = 'sk-SENTINEL-0123456789abcdefABCDEF';

function sse(events: readonly unknown[], headers: Record<string, string> = {}): Response {
  const text = events
    .map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`)
    .join('');
  return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream', ...headers } });
}

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test-2025',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};

function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], params: {}, ...overrides };
}

function context(signal: AbortSignal = new AbortController().signal, onDelta?: (text: string) => void) {
  return { signal, onDelta };
}

function provider(handler: Handler, extra: Parameters<typeof openai>[0] = {}) {
  const fake = fakeFetch(handler);
  return { ...fake, provider: openai({ apiKey: KEY, baseURL: BASE, fetch: fake.fetch, env: {}, ...extra }) };
}

describe('openai().send without streaming', () => {
  it('returns text, usage, headers and request id', async () => {
    const { provider: p, calls } = provider(() =>
      json(COMPLETION, 200, { 'x-request-id': 'req_abc', 'x-ratelimit-remaining-requests': '99' }),
    );
    const response = await p.send(
      request({
        maxTokens: 50,
        temperature: 0.2,
        responseFormat: { type: 'json_object' },
        params: { seed: 7 },
      }),
      context(),
    );
    expect(response.text).toBe('Hello there');
    expect(response.usage).toEqual({ promptTokens: 12, completionTokens: 3, totalTokens: 15 });
    expect(response.finishReason).toBe('stop');
    expect(response.model).toBe('gpt-test-2025');
    expect(response.requestID).toBe('req_abc');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(response.raw).toMatchObject({ id: 'chatcmpl-1' });

    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe(`${BASE}/chat/completions`);
    expect(call.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(call.body).toEqual({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 50,
      temperature: 0.2,
      response_format: { type: 'json_object' },
      seed: 7,
    });
  });

  it('treats null content as empty text and keeps the raw tool calls', async () => {
    const toolCall = { id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const { provider: p } = provider(() =>
      json({
        ...COMPLETION,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: [toolCall] },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    );
    const response = await p.send(request(), context());
    expect(response.text).toBe('');
    expect(response.finishReason).toBe('tool_calls');
    expect(response.raw).toMatchObject({ choices: [{ message: { tool_calls: [toolCall] } }] });
  });

  it('reports no usage when the server sends none', async () => {
    const { usage: _usage, ...rest } = COMPLETION;
    const { provider: p } = provider(() => json(rest));
    expect((await p.send(request(), context())).usage).toBeUndefined();
  });

  it('maps a refusal to content_filtered', async () => {
    const { provider: p } = provider(() =>
      json({
        ...COMPLETION,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, refusal: "I can't help" },
            finish_reason: 'stop',
          },
        ],
      }),
    );
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('content_filtered');
    expect(error.message).toContain("I can't help");
  });

  it('maps an empty answer stopped by the content filter to content_filtered', async () => {
    const { provider: p } = provider(() =>
      json({
        ...COMPLETION,
        choices: [
          { index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' },
        ],
      }),
    );
    expect((await failure(p.send(request(), context()))).code).toBe('content_filtered');
  });

  it.each([
    [
      'invalid JSON',
      () => new Response('{"choices": [', { headers: { 'content-type': 'application/json' } }),
    ],
    ['no choices', () => json({ id: 'x', object: 'chat.completion' })],
    ['empty choices', () => json({ ...COMPLETION, choices: [] })],
    ['an HTML page', () => new Response('<html>hi</html>', { headers: { 'content-type': 'text/html' } })],
    [
      'an empty body',
      () => new Response('', { headers: { 'content-type': 'application/json', 'content-length': '0' } }),
    ],
  ])('maps %s to malformed_response', async (_name, answer) => {
    const { provider: p } = provider(answer);
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('malformed_response');
    expect(error.message).toMatch(/OpenAI-compatible/);
  });

  it('maps 429 to rate_limited with its headers, in exactly one attempt', async () => {
    const { provider: p, calls } = provider(() =>
      json({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, 429, {
        'retry-after': '2',
        'x-ratelimit-reset-requests': '2s',
        'x-request-id': 'req_429',
      }),
    );
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.requestID).toBe('req_429');
    expect(error.headers?.get('retry-after')).toBe('2');
    expect(error.headers?.get('x-ratelimit-reset-requests')).toBe('2s');
    expect(calls).toHaveLength(1);
  });

  it('maps 500 to server_error in exactly one attempt', async () => {
    const { provider: p, calls } = provider(() => json({ error: { message: 'boom' } }, 500));
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('server_error');
    expect(calls).toHaveLength(1);
  });

  it('makes one attempt even with x-should-retry: true', async () => {
    const { provider: p, calls } = provider(() =>
      json({ error: { message: 'x' } }, 409, { 'x-should-retry': 'true' }),
    );
    expect((await failure(p.send(request(), context()))).code).toBe('conflict');
    expect(calls).toHaveLength(1);
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
    expect((error.cause as Error).cause).toBe(reset);
    expect(calls).toHaveLength(1);
  });

  it('names the model and server on 404', async () => {
    const { provider: p } = provider(() =>
      json({ error: { message: 'not found', code: 'model_not_found' } }, 404),
    );
    const error = await failure(p.send(request({ model: 'gpt-typo' }), context()));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('"gpt-typo"');
    expect(error.message).toContain(BASE);
  });

  it('keeps the key out of a 401 error and of the provider itself', async () => {
    const { provider: p } = provider(() =>
      json(
        {
          error: {
            message: `Incorrect API key provided: ${KEY.slice(0, 6)}***${KEY.slice(-4)}. Or was it ${KEY}?`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
        401,
      ),
    );
    const error = await failure(p.send(request(), context()));
    expect(error.code).toBe('authentication');
    expect(error.message).toMatch(/Check OPENAI_API_KEY/);
    for (const text of [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 5 }),
      p.id,
      JSON.stringify(p),
      inspect(p, { depth: 5 }),
    ]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(3, 14));
    }
  });

  it('lets params override max_tokens through max_completion_tokens, and never streams', () => {
    const body = buildBody(
      request({ maxTokens: 10, params: { max_completion_tokens: 20, stream: true, stream_options: {} } }),
      false,
    );
    expect(body).toEqual({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 20,
    });
  });
});

describe('openai().send with streaming', () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-s',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test-2025',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const usageChunk = {
    id: 'chatcmpl-s',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test-2025',
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };

  it('reports each delta and accumulates text, finish reason and usage', async () => {
    const { provider: p, calls } = provider(() =>
      sse(
        [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hel' }),
          chunk({ content: 'lo' }),
          chunk({}, 'stop'),
          usageChunk,
          '[DONE]',
        ],
        { 'x-request-id': 'req_s', 'x-ratelimit-remaining-tokens': '1000' },
      ),
    );
    const deltas: string[] = [];
    const response = await p.send(
      request({ maxTokens: 5 }),
      context(undefined, (text) => deltas.push(text)),
    );
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(response.text).toBe('Hello');
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toEqual({ promptTokens: 5, completionTokens: 2, totalTokens: 7 });
    expect(response.model).toBe('gpt-test-2025');
    expect(response.requestID).toBe('req_s');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    expect(response.raw).toMatchObject({
      choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }],
    });
    expect(calls[0]!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 5,
    });
  });

  it('lets params drop stream_options for servers that reject it', async () => {
    const { provider: p, calls } = provider(() => sse([chunk({ content: 'x' }, 'stop'), '[DONE]']));
    await p.send(
      request({ params: { stream_options: null } }),
      context(undefined, () => {}),
    );
    expect(calls[0]!.body).not.toHaveProperty('stream_options');
  });

  it('maps a stream that ends without a finish reason to connection_error', async () => {
    const { provider: p } = provider(() => sse([chunk({ content: 'Hel' })]));
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it('maps an error event inside the stream', async () => {
    const { provider: p } = provider(() =>
      sse([
        chunk({ content: 'Hel' }),
        { error: { message: 'The server had an error', type: 'server_error' } },
      ]),
    );
    const error = await failure(
      p.send(
        request(),
        context(undefined, () => {}),
      ),
    );
    expect(error.code).toBe('server_error');
  });

  it('maps a broken chunk to malformed_response', async () => {
    const { provider: p } = provider(() => sse([chunk({ content: 'Hel' }), '{"choices": [']));
    expect(
      (
        await failure(
          p.send(
            request(),
            context(undefined, () => {}),
          ),
        )
      ).code,
    ).toBe('malformed_response');
  });
});

describe('openai().send and its signal', () => {
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

describe('openai() options', () => {
  const hash8 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

  it('builds an id from the base URL and a fingerprint of the key', () => {
    const p = openai({ apiKey: KEY, baseURL: `${BASE}/`, env: {} });
    expect(p.id).toBe(`openai:${BASE}#${hash8(KEY)}`);
    expect(openai({ apiKey: KEY, baseURL: BASE, env: {} }).id).toBe(p.id);
    expect(openai({ apiKey: `${KEY}x`, baseURL: BASE, env: {} }).id).not.toBe(p.id);
    expect(openai({ apiKey: KEY, env: {} }).id).toBe(`openai:https://api.openai.com/v1#${hash8(KEY)}`);
    expect(openai({ baseURL: 'http://u:secretpw@h:1/v1', env: {} }).id).toBe('openai:http://h:1/v1#nokey');
  });

  it('exposes defaultModel', () => {
    expect(openai({ apiKey: KEY, defaultModel: 'gpt-x', env: {} }).defaultModel).toBe('gpt-x');
  });

  it('falls back to the injected environment', async () => {
    const fake = fakeFetch(() => json(COMPLETION));
    const p = openai({
      fetch: fake.fetch,
      env: {
        OPENAI_API_KEY: ` ${KEY} `,
        OPENAI_BASE_URL: 'http://env.local/v1',
        OPENAI_ORG_ID: 'org-1',
        OPENAI_PROJECT_ID: 'proj-1',
      },
    });
    await p.send(request(), context());
    expect(p.id).toBe(`openai:http://env.local/v1#${hash8(KEY)}`);
    const call = fake.calls[0]!;
    expect(call.url).toBe('http://env.local/v1/chat/completions');
    expect(call.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(call.headers.get('openai-organization')).toBe('org-1');
    expect(call.headers.get('openai-project')).toBe('proj-1');
  });

  it('prefers options to the environment', async () => {
    const fake = fakeFetch(() => json(COMPLETION));
    const p = openai({
      apiKey: 'sk-option-key-123',
      baseURL: BASE,
      fetch: fake.fetch,
      defaultHeaders: { 'x-extra': 'yes' },
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://env.local/v1' },
    });
    await p.send(request(), context());
    expect(fake.calls[0]!.url).toBe(`${BASE}/chat/completions`);
    expect(fake.calls[0]!.headers.get('authorization')).toBe('Bearer sk-option-key-123');
    expect(fake.calls[0]!.headers.get('x-extra')).toBe('yes');
  });

  it('sends a placeholder key to a local server that needs none', async () => {
    const fake = fakeFetch(() => json(COMPLETION));
    const p = openai({ baseURL: 'http://localhost:11434/v1', fetch: fake.fetch, env: {} });
    await p.send(request(), context());
    expect(fake.calls[0]!.headers.get('authorization')).toBe('Bearer not-needed');
    expect(p.id).toBe('openai:http://localhost:11434/v1#nokey');
  });

  it('refuses to start with neither a key nor a base URL', () => {
    let error: unknown;
    try {
      openai({ env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VolleyError);
    expect((error as VolleyError).code).toBe('authentication');
    expect((error as VolleyError).message).toMatch(/OPENAI_API_KEY/);
    expect((error as VolleyError).message).toMatch(/base-url|baseURL/);
  });

  it.each([
    [{ apiKey: KEY, nope: 1 }, /unknown option "nope"/],
    [{ apiKey: KEY, baseUrl: BASE }, /unknown option "baseUrl". Did you mean "baseURL"\?/],
    [{ apiKey: KEY, baseURL: 42 }, /option "baseURL" must be a URL string/],
    [{ apiKey: KEY, baseURL: 'ftp://x' }, /option "baseURL" must be an http\(s\) URL/],
    [{ apiKey: KEY, baseURL: 'not a url' }, /option "baseURL" must be an http\(s\) URL/],
    [{ apiKey: '' }, /option "apiKey" must be a non-empty string, got an empty string/],
    [{ apiKey: 123 }, /option "apiKey" must be a non-empty string, got a number/],
    [{ apiKey: KEY, fetch: 'fetch' }, /option "fetch" must be a function/],
    [{ apiKey: KEY, defaultHeaders: { a: 1 } }, /header "a" must be a string/],
    [{ apiKey: KEY, env: 'x' }, /option "env" must be an object/],
    [{ apiKey: KEY, client: {} }, /option "client" must be an OpenAI client/],
  ])('rejects %o', (options, message) => {
    expect(() => openai({ env: {}, ...(options as object) })).toThrow(TypeError);
    expect(() => openai({ env: {}, ...(options as object) })).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(() => openai('sk-x' as never)).toThrow(/options must be an object, got a string/);
  });

  it('rejects a bad OPENAI_BASE_URL from the environment', () => {
    expect(() => openai({ env: { OPENAI_BASE_URL: 'localhost:8000' } })).toThrow(/OPENAI_BASE_URL must be/);
  });

  it('never echoes a mistyped key in a TypeError', () => {
    expect(() => openai({ apiKey: KEY, baseURL: KEY })).toThrow(TypeError);
    try {
      openai({ apiKey: KEY, baseURL: KEY, env: {} });
    } catch (error) {
      expect((error as Error).message).not.toContain(KEY);
    }
  });

  it('sends through a client the caller brings, still one attempt', async () => {
    const fake = fakeFetch(() => json({ error: { message: 'busy' } }, 503));
    const client = new OpenAI({ apiKey: KEY, baseURL: BASE, fetch: fake.fetch, maxRetries: 5 });
    const p = openai({ client, defaultModel: 'm', env: {} });
    expect(p.id).toBe(`openai:${BASE}#${hash8(KEY)}`);
    expect(p.defaultModel).toBe('m');
    expect((await failure(p.send(request(), context()))).code).toBe('server_error');
    expect(fake.calls).toHaveLength(1);
  });

  it('refuses connection options next to a client', () => {
    const client = new OpenAI({ apiKey: KEY, baseURL: BASE });
    expect(() => openai({ client, baseURL: BASE, env: {} })).toThrow(
      /"baseURL" cannot be combined with "client"/,
    );
  });
});

describe('azureOpenAI()', () => {
  const AZURE_KEY = 'azurekey0123456789abcdef';

  it('sends to the deployment with the api-key header and api-version', async () => {
    const fake = fakeFetch(() => json(COMPLETION, 200, { 'x-request-id': 'req_az' }));
    const p = azureOpenAI({
      endpoint: 'https://res.openai.azure.com/',
      deployment: 'gpt4o-prod',
      apiVersion: '2024-10-21',
      apiKey: AZURE_KEY,
      fetch: fake.fetch,
      env: {},
    });
    expect(p.defaultModel).toBe('gpt4o-prod');
    expect(p.id).toMatch(
      /^azure-openai:https:\/\/res\.openai\.azure\.com\/openai\/deployments\/gpt4o-prod#[0-9a-f]{8}$/,
    );
    const response = await p.send(request({ model: 'gpt4o-prod' }), context());
    expect(response.text).toBe('Hello there');
    const call = fake.calls[0]!;
    expect(call.url).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
    );
    expect(call.headers.get('api-key')).toBe(AZURE_KEY);
  });

  it('reads the environment and names the Azure variable on 401', async () => {
    const fake = fakeFetch(() =>
      json({ error: { code: '401', message: `Access denied ${AZURE_KEY}` } }, 401),
    );
    const p = azureOpenAI({
      fetch: fake.fetch,
      env: {
        AZURE_OPENAI_API_KEY: AZURE_KEY,
        AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com',
        OPENAI_API_VERSION: '2024-10-21',
      },
    });
    const error = await failure(p.send(request({ model: 'dep' }), context()));
    expect(error.code).toBe('authentication');
    expect(error.message).toMatch(/AZURE_OPENAI_API_KEY/);
    expect(error.message).not.toContain(AZURE_KEY);
    expect(fake.calls[0]!.url).toBe(
      'https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21',
    );
  });

  it('validates its options', () => {
    const base = { endpoint: 'https://res.openai.azure.com', apiKey: AZURE_KEY, env: {} };
    expect(() => azureOpenAI(base)).toThrow(/"apiVersion" is required/);
    expect(() => azureOpenAI({ ...base, apiVersion: 'v', baseURL: 'https://x/openai' })).toThrow(
      /mutually exclusive/,
    );
    expect(() => azureOpenAI({ apiVersion: 'v', apiKey: AZURE_KEY, env: {} })).toThrow(
      /"endpoint" is required/,
    );
    expect(() => azureOpenAI({ ...base, apiVersion: 'v', deploymnet: 'x' } as never)).toThrow(
      /unknown option "deploymnet"/,
    );
    expect(() => azureOpenAI({ endpoint: base.endpoint, apiVersion: 'v', env: {} })).toThrow(VolleyError);
  });
});
