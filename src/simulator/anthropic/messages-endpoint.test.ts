import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicSetup, MODEL } from '../batch/test-support/anthropic.js';

const ask = (
  client: Anthropic,
  content = 'hello',
  extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
) =>
  client.messages.create({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content }], ...extra });

/** What the SDK's errors carry that the tests look at. */
type Failure = Error & { status: number; error: unknown; headers: Headers };

async function failure(promise: Promise<unknown>): Promise<Failure> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as Failure,
  );
}

describe('POST /v1/messages through @anthropic-ai/sdk', () => {
  it('answers a message with usage, a request id and anthropic-ratelimit headers', async () => {
    const { clock, client } = anthropicSetup({ rpm: 60, tpm: 100_000 });
    await clock.advance(250);
    const { data, response } = await ask(client, 'List 3 ideas').withResponse();
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn' });
    expect((data.content[0] as Anthropic.TextBlock).text.split('\n')).toHaveLength(3);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('60');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    // One request per second refills the one-request burst: full again 1 s from now, in whole seconds.
    expect(response.headers.get('anthropic-ratelimit-requests-reset')).toBe('2025-06-15T15:06:42Z');
    expect(response.headers.get('anthropic-ratelimit-tokens-remaining')).toMatch(/^\d+$/);
  });

  it('cuts the answer at max_tokens, and streams the same text as named events', async () => {
    const { client } = anthropicSetup();
    const cut = await ask(client, 'hello', { max_tokens: 3 });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', usage: { output_tokens: 3 } });
    const plain = await ask(client);
    let text = '';
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 200,
      messages: [{ role: 'user', content: 'hello' }],
    });
    stream.on('text', (piece) => {
      text += piece;
    });
    const final = await stream.finalMessage();
    expect(text).toBe((plain.content[0] as Anthropic.TextBlock).text);
    expect(final).toMatchObject({
      stop_reason: 'end_turn',
      usage: { output_tokens: plain.usage.output_tokens },
    });
  });

  it('answers JSON when the system prompt asks for a JSON object', async () => {
    const { client } = anthropicSetup();
    const answer = await ask(client, 'describe a cat', {
      system: 'Answer with one valid JSON object and nothing else.',
    });
    expect(JSON.parse((answer.content[0] as Anthropic.TextBlock).text)).toBeTypeOf('object');
  });

  it('answers a 429 rate_limit_error with retry-after when the rpm is spent', async () => {
    const { client, sim } = anthropicSetup({ rpm: 60 });
    await ask(client);
    const error = await failure(ask(client, 'again'));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(error.headers.get('retry-after')).toBe('1');
    expect(sim.stats()).toMatchObject({ requests: 2, successes: 1, rateLimited: 1 });
  });

  it.each([
    [{ model: 'claude-nope' }, 404, 'not_found_error'],
    [{ max_tokens: 0 }, 400, 'invalid_request_error'],
    [{ messages: [] }, 400, 'invalid_request_error'],
  ])('refuses %j with the status and error type Anthropic uses', async (extra, status, type) => {
    const { client } = anthropicSetup();
    const error = await failure(ask(client, 'hello', extra as never));
    expect(error).toMatchObject({ status, error: { type: 'error', error: { type } } });
  });

  it('needs the key in x-api-key when one is set, and never echoes what it got', async () => {
    const { sim } = anthropicSetup({ apiKey: 'sk-ant-right' });
    const wrong = new Anthropic({
      apiKey: 'sk-ant-wrong-secret',
      baseURL: 'http://sim',
      fetch: sim.fetch,
      maxRetries: 0,
    });
    const error = await failure(ask(wrong));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(JSON.stringify(error.error)).not.toContain('sk-ant-wrong');
    const right = new Anthropic({
      apiKey: 'sk-ant-right',
      baseURL: 'http://sim',
      fetch: sim.fetch,
      maxRetries: 0,
    });
    expect((await ask(right)).type).toBe('message');
  });

  it('injects 529 overloaded_error and 500 api_error at the fault rates', async () => {
    const { client, sim } = anthropicSetup({ faults: { unavailable: 0.5, serverError: 0.5 } });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await failure(ask(client, `q${i}`))).status);
    expect(new Set(statuses)).toEqual(new Set([500, 529]));
    expect(sim.stats().faults.total).toBe(10);
  });

  it('counts a message paid twice as a duplicate', async () => {
    const { client, sim } = anthropicSetup();
    await ask(client);
    await ask(client);
    expect(sim.stats()).toMatchObject({ successes: 2, duplicateSuccesses: 1, duplicatePaid: 1 });
  });
});
