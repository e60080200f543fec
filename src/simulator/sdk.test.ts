import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  InternalServerError,
  RateLimitError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { createSimulator } from './handler.js';
import type { SimulatorOptions } from './options.js';

function setup(options: SimulatorOptions = {}, clientOptions: { maxRetries?: number; apiKey?: string } = {}) {
  const sim = createSimulator({ latencyMedianMs: 1, ...options });
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://sim/v1',
    fetch: sim.fetch,
    maxRetries: 0,
    ...clientOptions,
  });
  return { sim, client };
}

function ask(
  client: OpenAI,
  content = 'hello',
  extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('the openai SDK against the in-process simulator', () => {
  it('gets a completion and reads the headers with withResponse()', async () => {
    const { client } = setup({ rpm: 600, tpm: 100_000 });
    const { data, response, request_id } = await ask(client, 'List 3 ideas').withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content?.split('\n')).toHaveLength(3);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBe(
      (data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0),
    );
    expect(request_id).toMatch(/^req_/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toMatch(/^\d+$/);
  });

  it('streams a completion, with a usage chunk when asked', async () => {
    const { client } = setup();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    const plain = await ask(client);
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(plain.usage);
  });

  it('sends no usage chunk unless include_usage is set', async () => {
    const { client } = setup();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
  });

  it('turns a 429 storm into RateLimitErrors carrying retry-after-ms', async () => {
    const { sim, client } = setup({ rpm: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => ask(client)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(Number(error.headers.get('retry-after-ms'))).toBeGreaterThan(59_000);
      expect(error.headers.get('retry-after')).toBe('60');
    }
    expect(sim.stats()).toMatchObject({ requests: 5, successes: 1, rateLimited: 4 });
  });

  it('lets the SDK’s own retries succeed by waiting retry-after-ms', async () => {
    // A 10-request burst, one more every 100 ms, for 12 calls at once. The SDK sleeps on real
    // timers, so how many 429s there are depends on the machine's speed (a slow one lets more refill
    // in between); what cannot vary is that every one of them was retried into a success.
    const { sim, client } = setup({ rpm: 600 }, { maxRetries: 10 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(client, `question ${i}`)));
    expect(results).toHaveLength(12);
    const stats = sim.stats();
    expect(stats.successes).toBe(12);
    expect(stats.requests).toBe(12 + stats.rateLimited);
  });

  it('sees a 500 and a 503 as InternalServerError', async () => {
    for (const [fault, status] of [
      ['serverError', 500],
      ['unavailable', 503],
    ] as const) {
      const { sim, client } = setup({ faults: { [fault]: 1 } });
      const error = await failure(ask(client));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status, type: 'server_error' });
      expect(sim.stats().faults).toMatchObject({ [fault]: 1, total: 1 });
    }
  });

  it('sees a reset as APIConnectionError caused by fetch failed / ECONNRESET', async () => {
    const { sim, client } = setup({ faults: { reset: 1 } });
    const error = await failure(ask(client));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    const cause = (error as Error).cause as TypeError;
    expect(cause).toBeInstanceOf(TypeError);
    expect(cause.message).toBe('fetch failed');
    expect(cause.cause).toMatchObject({ code: 'ECONNRESET' });
    expect(sim.stats()).toMatchObject({ faults: { reset: 1 }, successes: 0, inFlight: 0 });
  });

  it('sees a hang as a timeout, or as an abort when the caller cancels', async () => {
    const { sim, client } = setup({ faults: { hang: 1 } });
    const timedOut = await failure(
      client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
        { timeout: 30 },
      ),
    );
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'y' }] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 10);
    expect(await failure(pending)).toBeInstanceOf(APIUserAbortError);
    expect(sim.stats()).toMatchObject({ inFlight: 0, faults: { hang: 2 } });
  });

  it('rejects a hung in-process fetch with the abort reason, like fetch', async () => {
    const { sim } = setup({ faults: { hang: 1 } });
    const controller = new AbortController();
    const pending = sim.fetch('http://sim/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    controller.abort();
    const error = await failure(pending);
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError' });
    const reason = new Error('gave up');
    const other = new AbortController();
    const second = sim.fetch('http://sim/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      signal: other.signal,
    });
    other.abort(reason);
    expect(await failure(second)).toBe(reason);
  });

  it('makes a malformed body fail to parse', async () => {
    const { sim, client } = setup({ faults: { malformed: 1 } });
    const error = await failure(ask(client));
    expect(error).toBeInstanceOf(SyntaxError);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    const streamed = await failure(
      (async () => {
        for await (const _ of stream) {
          // reading until the broken event
        }
      })(),
    );
    expect(streamed).toBeInstanceOf(SyntaxError);
    expect(sim.stats()).toMatchObject({ faults: { malformed: 2 }, successes: 0, inFlight: 0 });
  });

  it('gets AuthenticationError for a wrong key', async () => {
    const { client } = setup({ apiKey: 'sk-sim' }, { apiKey: 'sk-other' });
    const error = await failure(ask(client));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    const right = setup({ apiKey: 'sk-sim' }, { apiKey: 'sk-sim' });
    expect((await ask(right.client)).object).toBe('chat.completion');
  });

  it('counts the calls paid for twice', async () => {
    const { sim, client } = setup();
    await ask(client, 'one');
    await ask(client, 'two');
    await ask(client, 'one');
    await ask(client, 'one', { max_tokens: 500 }); // other parameters, same messages: still a repeat
    expect(sim.stats()).toMatchObject({ successes: 4, duplicateSuccesses: 2 });
    sim.resetStats();
    await ask(client, 'one');
    expect(sim.stats()).toMatchObject({ successes: 1, duplicateSuccesses: 0 });
  });

  it('draws faults at the configured rate, the same way for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const { client } = setup({ seed, latencyMedianMs: 0, faults: { serverError: 0.3 } });
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => ask(client, `q${i}`)));
      return results.map((r) => r.status);
    };
    const first = await outcomes(5);
    const failures = first.filter((s) => s === 'rejected').length;
    expect(failures).toBeGreaterThan(35);
    expect(failures).toBeLessThan(85);
    expect(await outcomes(5)).toEqual(first);
  });

  it('tracks how many requests were in flight at once', async () => {
    const { sim, client } = setup({ latencyMedianMs: 20 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => ask(client, `q${i}`)));
    expect(sim.stats()).toMatchObject({ inFlight: 0, maxInFlight: 8 });
  });
});
