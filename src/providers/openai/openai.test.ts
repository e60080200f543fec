/**
 * The OpenAI provider against the in-process simulator (an independent writer of the wire
 * format), and against doubles only for the bodies the simulator never sends.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../errors.js';
import { createSimulator } from '../../simulator/index.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import { live, OPENAI, request, setup } from '../test-support/cases.js';
import { failure, fakeFetch, json } from '../test-support/doubles.js';
import { azureOpenAI, openai } from './index.js';

const KEY = OPENAI.key;

function simulated(options: SimulatorOptions = {}) {
  const sim = createSimulator({ latencyMedianMs: 0, ...options });
  const provider = openai({ apiKey: KEY, baseURL: 'http://sim/v1', fetch: sim.fetch, env: {} });
  return { sim, provider };
}

const ask = (text = 'List 3 ideas', overrides = {}) =>
  request({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...overrides });

describe('openai() against the simulator', () => {
  it('answers with text, usage, model, request id and the rate-limit headers', async () => {
    const { provider } = simulated({ rpm: 600, tpm: 100_000 });
    const response = await provider.send(ask(), { signal: live() });
    expect(response.text.split('\n')).toHaveLength(3);
    expect(response.finishReason).toBe('stop');
    expect(response.model).toBe('gpt-4o-mini');
    expect(response.usage?.totalTokens).toBe(
      (response.usage?.promptTokens ?? 0) + (response.usage?.completionTokens ?? 0),
    );
    expect(response.requestID).toMatch(/^req_/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(provider.readBody(response.raw)).toMatchObject({ text: response.text, usage: response.usage });
  });

  it('streams the same answer it gives whole, with usage', async () => {
    const { provider } = simulated();
    const whole = await provider.send(ask(), { signal: live() });
    const deltas: string[] = [];
    const streamed = await provider.send(ask(), { signal: live(), onDelta: (text) => deltas.push(text) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(streamed.text);
    expect(streamed.text).toBe(whole.text);
    expect(streamed.usage).toEqual(whole.usage);
  });

  it.each([
    ['a wrong key', { apiKey: 'sk-the-right-one' }, 'authentication', 401],
    ['an exhausted quota', { quotaExhausted: true }, 'quota_exceeded', 429],
    ['a prompt over the context window', { contextWindow: 10 }, 'context_length_exceeded', 400],
    ['an injected 500', { faults: { serverError: 1 } }, 'server_error', 500],
    ['an injected 503', { faults: { unavailable: 1 } }, 'server_error', 503],
  ] as const)('maps %s to %s', async (_name, options, code, status) => {
    const { provider } = simulated(options as SimulatorOptions);
    const error = await failure(
      provider.send(ask('a prompt of a few more words than ten tokens, to be sure'), { signal: live() }),
    );
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.requestID).toMatch(/^req_/);
    expect(error.message).not.toContain(KEY);
  });

  it('maps a rate limit to rate_limited with the waits the server advises', async () => {
    const { provider } = simulated({ rpm: 1, burstWindowMs: 1000 });
    await provider.send(ask(), { signal: live() });
    const error = await failure(provider.send(ask(), { signal: live() }));
    expect(error.code).toBe('rate_limited');
    expect(Number(error.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
  });

  it('names the model on a 404', async () => {
    const { provider } = simulated();
    const error = await failure(provider.send(ask('hi', { model: 'gpt-typo' }), { signal: live() }));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('"gpt-typo"');
    expect(error.message).toMatch(/usually \/v1/);
  });

  it('maps a reset to connection_error and a cut body to malformed_response', async () => {
    const reset = await failure(simulated({ faults: { reset: 1 } }).provider.send(ask(), { signal: live() }));
    expect(reset).toBeInstanceOf(ConnectionError);
    const cut = simulated({ faults: { malformed: 1 } }).provider;
    expect((await failure(cut.send(ask(), { signal: live() }))).code).toBe('malformed_response');
    expect((await failure(cut.send(ask(), { signal: live(), onDelta: () => {} }))).code).toBe(
      'malformed_response',
    );
  });

  it('aborts a hung request, and the request the simulator holds is aborted too', async () => {
    const sim = createSimulator({ latencyMedianMs: 0, faults: { hang: 1 } });
    let held: (signal: AbortSignal) => void = () => {};
    const sent = new Promise<AbortSignal>((resolve) => {
      held = resolve;
    });
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      held(init!.signal!);
      return sim.fetch(input, init);
    };
    const provider = openai({ apiKey: KEY, baseURL: 'http://sim/v1', fetch, env: {} });
    const controller = new AbortController();
    const pending = provider.send(ask(), { signal: controller.signal });
    const signal = await sent;
    controller.abort();
    expect((await failure(pending)).code).toBe('aborted');
    expect(signal.aborted).toBe(true);
  });
});

describe('openai() request mapping', () => {
  it('maps the request fields, and lets params win', () => {
    const p = openai({ apiKey: KEY, env: {} });
    const body = p.requestBody(
      request({
        maxTokens: 50,
        temperature: 0.2,
        responseFormat: { type: 'json_object' },
        params: { seed: 7 },
      }),
    );
    expect(body).toEqual({
      model: 'model',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 50,
      temperature: 0.2,
      response_format: { type: 'json_object' },
      seed: 7,
    });
  });

  it('builds the same body, in the same key order, without params as with params that add nothing', () => {
    const p = openai({ apiKey: KEY, env: {} });
    const fields = { maxTokens: 50, temperature: 0, responseFormat: { type: 'json_object' as const } };
    const bare = p.requestBody(request({ ...fields, params: {} }));
    const viaParams = p.requestBody(request({ ...fields, params: { stream: false } }));
    expect(JSON.stringify(bare)).toBe(JSON.stringify(viaParams));
    expect(Object.keys(bare)).toEqual(['model', 'messages', 'max_tokens', 'temperature', 'response_format']);
    expect(Object.keys(p.requestBody(request({ params: {} })))).toEqual(['model', 'messages']);
  });

  it('leaves max_tokens out next to max_completion_tokens, and never streams', () => {
    const p = openai({ apiKey: KEY, env: {} });
    const body = p.requestBody(
      request({ maxTokens: 10, params: { max_completion_tokens: 20, stream: true, stream_options: {} } }),
    );
    expect(body).toEqual({
      model: 'model',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 20,
    });
  });

  it('lets params drop stream_options for servers that refuse it', async () => {
    const { provider: p, calls } = setup(OPENAI, () => OPENAI.stream(['x']));
    await p.send(request({ params: { stream_options: null } }), { signal: live(), onDelta: () => {} });
    expect(calls[0]!.body).not.toHaveProperty('stream_options');
  });
});

describe('openai() answers the simulator never sends', () => {
  const completion = (message: Record<string, unknown>, finish = 'stop') => ({
    ...(OPENAI.answer('x') as object),
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  });

  it('maps a refusal, and an answer the filter withheld, to content_filtered', async () => {
    const refused = setup(OPENAI, () => json(completion({ content: null, refusal: "I can't help" })));
    const error = await failure(refused.provider.send(request(), { signal: live() }));
    expect(error.code).toBe('content_filtered');
    expect(error.message).toContain("I can't help");
    const filtered = setup(OPENAI, () => json(completion({ content: null }, 'content_filter')));
    expect((await failure(filtered.provider.send(request(), { signal: live() }))).code).toBe(
      'content_filtered',
    );
  });

  it('says an answer cut by max_tokens before any text needs more tokens, and is not worth retrying', async () => {
    const { provider: p } = setup(OPENAI, () => json(completion({ content: '' }, 'length')));
    const error = await failure(p.send(request(), { signal: live() }));
    expect(error.code).toBe('malformed_response');
    expect(error.message).toMatch(/raise maxTokens/);
    expect(error.retryable).toBe(false);
  });

  it('keeps streamed tool calls in the recorded body', async () => {
    const frame = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const call = (args: string, first: boolean) => ({
      tool_calls: [
        {
          index: 0,
          ...(first ? { id: 't1', type: 'function' } : {}),
          function: { ...(first ? { name: 'f' } : {}), arguments: args },
        },
      ],
    });
    const { provider: p } = setup(
      OPENAI,
      () =>
        new Response(
          frame(call('{"a":', true)) +
            frame(call(' 1}', false)) +
            frame({}, 'tool_calls') +
            'data: [DONE]\n\n',
          {
            headers: { 'content-type': 'text/event-stream' },
          },
        ),
    );
    const response = await p.send(request(), { signal: live(), onDelta: () => {} });
    expect(response.text).toBe('');
    expect(response.finishReason).toBe('tool_calls');
    expect(response.raw).toMatchObject({
      choices: [
        {
          message: {
            tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } }],
          },
        },
      ],
    });
  });
});

describe('openai() with a client of its own', () => {
  it('sends through it, still one attempt', async () => {
    const sim = createSimulator({ latencyMedianMs: 0, faults: { unavailable: 1 } });
    const client = new OpenAI({ apiKey: KEY, baseURL: 'http://sim/v1', fetch: sim.fetch, maxRetries: 5 });
    const p = openai({ client, defaultModel: 'm', env: {} });
    expect(p.baseURL).toBe('http://sim/v1');
    expect(p.defaultModel).toBe('m');
    expect((await failure(p.send(ask(), { signal: live() }))).code).toBe('server_error');
    expect(sim.stats().requests).toBe(1);
  });

  it('refuses connection options next to it', () => {
    const client = new OpenAI({ apiKey: KEY, baseURL: 'http://sim/v1' });
    expect(() => openai({ client, baseURL: 'http://sim/v1', env: {} })).toThrow(
      /`baseURL` cannot be combined with `client`/,
    );
  });
});

describe('azureOpenAI()', () => {
  const AZURE_KEY = 'azurekey0123456789abcdef';
  const options = { apiVersion: '2024-10-21', apiKey: AZURE_KEY, env: {} };

  it('sends to the deployment with the api-key header and api-version', async () => {
    const fake = fakeFetch(() => json(OPENAI.answer('Hello there')));
    const p = azureOpenAI({
      ...options,
      endpoint: 'https://res.openai.azure.com/',
      deployment: 'gpt4o-prod',
      fetch: fake.fetch,
    });
    expect(p).toMatchObject({
      kind: 'openai',
      name: 'azure.ai.openai',
      endpoint: '/chat/completions',
      defaultModel: 'gpt4o-prod',
    });
    expect(p.id).toMatch(
      /^azure-openai:https:\/\/res\.openai\.azure\.com\/openai\/deployments\/gpt4o-prod#[0-9a-f]{8}$/,
    );
    expect((await p.send(request({ model: 'gpt4o-prod' }), { signal: live() })).text).toBe('Hello there');
    const call = fake.calls[0]!;
    expect(call.url).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
    );
    expect(call.headers.get('api-key')).toBe(AZURE_KEY);
  });

  it('reads the environment and names the Azure variable on a 401, without the key', async () => {
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
    const error = await failure(p.send(request({ model: 'dep' }), { signal: live() }));
    expect(error.code).toBe('authentication');
    expect(error.message).toMatch(/AZURE_OPENAI_API_KEY/);
    expect(error.message).not.toContain(AZURE_KEY);
    expect(fake.calls[0]!.url).toBe(
      'https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21',
    );
  });

  it('validates its options', () => {
    const base = { endpoint: 'https://res.openai.azure.com', apiKey: AZURE_KEY, env: {} };
    expect(() => azureOpenAI(base)).toThrow(/`apiVersion` is required/);
    expect(() => azureOpenAI({ ...base, apiVersion: 'v', baseURL: 'https://x/openai' })).toThrow(
      /mutually exclusive/,
    );
    expect(() => azureOpenAI({ apiVersion: 'v', apiKey: AZURE_KEY, env: {} })).toThrow(
      /`endpoint` is required/,
    );
    expect(() => azureOpenAI({ ...base, apiVersion: 'v', deploymnet: 'x' } as never)).toThrow(
      /Did you mean `deployment`/,
    );
    expect(() => azureOpenAI({ endpoint: base.endpoint, apiVersion: 'v', env: {} })).toThrow(
      /No Azure OpenAI key/,
    );
  });
});
