import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-clock.js';
import { createSimulator } from './handler.js';
import type { SimulatorOptions } from './options.js';

const URL_BASE = 'http://sim/v1';

function chat(body: unknown, headers: Record<string, string> = {}, path = '/chat/completions'): Request {
  return new Request(URL_BASE + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };

function fast(options: SimulatorOptions = {}) {
  return createSimulator({ latencyMedianMs: 0, ...options });
}

describe('request checks', () => {
  it.each([
    ['{not json', null, /not valid JSON/],
    [{ model: 'gpt-4o-mini' }, 'messages', /messages/],
    [{ messages: hello.messages }, 'model', /model/],
    [{ ...hello, max_tokens: 0 }, 'max_tokens', /max_tokens/],
    [{ ...hello, response_format: { type: 'yaml' } }, 'response_format', /response_format/],
  ])('answers 400 for %j', async (body, param, message) => {
    const sim = fast();
    const response = await sim.handle(chat(body));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ type: 'invalid_request_error', param });
    expect(error.message).toMatch(message);
    expect(sim.stats()).toMatchObject({ requests: 1, badRequests: 1, inFlight: 0 });
  });

  it('needs the API key when one is set, and never echoes what it got', async () => {
    const sim = fast({ apiKey: 'sk-right' });
    const wrong = await sim.handle(chat(hello, { authorization: 'Bearer sk-wrong-secret' }));
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        message: 'Incorrect API key provided.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(text).not.toContain('sk-wrong');
    expect((await sim.handle(chat(hello))).status).toBe(401);
    expect((await sim.handle(chat(hello, { authorization: 'Bearer sk-right' }))).status).toBe(200);
    expect(sim.stats()).toMatchObject({ unauthorized: 2, successes: 1 });
  });

  it('checks JSON before auth', async () => {
    const response = await fast({ apiKey: 'k' }).handle(chat('{'));
    expect(response.status).toBe(400);
  });

  it('refuses models it does not serve, unless the list is empty', async () => {
    const response = await fast().handle(chat({ ...hello, model: 'gpt-9' }));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect((await fast({ models: [] }).handle(chat({ ...hello, model: 'gpt-9' }))).status).toBe(200);
  });

  it('answers insufficient_quota without any retry-after header', async () => {
    const response = await fast({ quotaExhausted: true, rpm: 10 }).handle(chat(hello));
    expect(response.status).toBe(429);
    expect(await errorOf(response)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(response.headers.has('retry-after')).toBe(false);
    expect(response.headers.has('retry-after-ms')).toBe(false);
  });

  it('refuses prompt + max_tokens beyond the context window', async () => {
    const sim = fast({ contextWindow: 100 });
    const response = await sim.handle(chat({ ...hello, max_tokens: 95 }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'context_length_exceeded' });
    expect((await sim.handle(chat({ ...hello, max_tokens: 90 }))).status).toBe(200);
    expect(sim.stats().contextLengthExceeded).toBe(1);
  });
});

describe('routes', () => {
  it('serves chat completions with or without /v1', async () => {
    const response = await fast().handle(new Request('http://sim/chat/completions', chatInit(hello)));
    expect(response.status).toBe(200);
    expect((await bodyOf<{ object: string }>(response)).object).toBe('chat.completion');
  });

  it('lists the models, serves stats and resets them, and 404s anything else', async () => {
    const sim = fast({ models: ['a', 'b'] });
    const models = await bodyOf<{ data: { id: string }[] }>(
      await sim.handle(new Request(`${URL_BASE}/models`)),
    );
    expect(models.data.map((m) => m.id)).toEqual(['a', 'b']);
    await sim.handle(chat({ ...hello, model: 'a' }));
    const stats = await bodyOf(await sim.handle(new Request('http://sim/stats')));
    expect(stats).toMatchObject({ requests: 1, successes: 1 });
    const reset = await sim.handle(new Request('http://sim/stats/reset', { method: 'POST' }));
    expect(await bodyOf(reset)).toMatchObject({ requests: 0, successes: 0 });
    const missing = await sim.handle(new Request(`${URL_BASE}/embeddings`, { method: 'POST' }));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toContain('/v1/embeddings');
  });
});

describe('headers and rate limits', () => {
  it('sends rate-limit headers only for configured limits, and a request id always', async () => {
    const none = await fast().handle(chat(hello));
    expect(none.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]+$/);
    expect([...none.headers.keys()].some((name) => name.startsWith('x-ratelimit'))).toBe(false);
    // On the test's own clock: on the system clock, a slow machine's milliseconds refill the bucket.
    const some = await fast({ rpm: 600, clock: { now: () => 0 } }).handle(chat(hello));
    expect(some.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(some.headers.get('x-ratelimit-remaining-requests')).toBe('540');
    expect(some.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+ms$/);
    expect(some.headers.has('x-ratelimit-limit-tokens')).toBe(false);
  });

  it('answers 429 rate_limit_exceeded with exact retry-after-ms, taking nothing', async () => {
    const clock = { now: () => 0 };
    const sim = fast({ rpm: 60, tpm: 100_000, clock });
    expect((await sim.handle(chat(hello))).status).toBe(200);
    const limited = await sim.handle(chat(hello));
    expect(limited.status).toBe(429);
    expect(await errorOf(limited)).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(limited.headers.get('retry-after-ms')).toBe('1000');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(sim.stats()).toMatchObject({ rateLimited: 1, rateLimitedOn: { requests: 1, tokens: 0 } });
  });

  it('refuses for good a request larger than the token bucket: x-should-retry false, the numbers', async () => {
    const sim = fast({ tpm: 2000, burstWindowMs: 60_000, clock: { now: () => 0 } });
    const big = await sim.handle(chat({ ...hello, max_tokens: 5000 }));
    expect(big.status).toBe(429);
    expect(big.headers.get('x-should-retry')).toBe('false');
    expect(big.headers.has('retry-after')).toBe(false);
    const error = await errorOf(big);
    expect(error.message).toMatch(
      /^Request too large for gpt-4o-mini on tokens per min \(TPM\): Limit 2000, Requested 5007\./,
    );
    // Nothing was taken: a request that fits goes through at once.
    expect((await sim.handle(chat({ ...hello, max_tokens: 1900 }))).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requestTooLarge: 1, rateLimited: 0, successes: 1 });
  });

  it('can leave retry-after out of a 429, as some servers do', async () => {
    const sim = fast({ rpm: 60, retryAfter: false, clock: { now: () => 0 } });
    await sim.handle(chat(hello));
    const limited = await sim.handle(chat(hello));
    expect(limited.status).toBe(429);
    expect(limited.headers.has('retry-after')).toBe(false);
    expect(limited.headers.has('retry-after-ms')).toBe(false);
    expect(limited.headers.get('x-ratelimit-reset-requests')).toBe('1s');
  });

  it('reserves max_tokens against tpm', async () => {
    const sim = fast({ tpm: 60_000, clock: { now: () => 0 } }); // a 1000-token burst
    expect((await sim.handle(chat({ ...hello, max_tokens: 600 }))).status).toBe(200);
    const limited = await sim.handle(chat({ ...hello, max_tokens: 600 }));
    expect(limited.status).toBe(429);
    expect((await errorOf(limited)).type).toBe('tokens');
  });
});

describe('timing', () => {
  it('waits the latency on the injected clock, streams tokens at msPerOutputToken', async () => {
    const clock = new ManualClock();
    const sim = createSimulator({ clock, latencyMedianMs: 1000, msPerOutputToken: 10 });
    let response: Response | undefined;
    void sim.handle(chat({ ...hello, stream: true })).then((r) => {
      response = r;
    });
    await clock.advance(999);
    expect(response).toBeUndefined();
    expect(sim.stats().inFlight).toBe(1);
    await clock.advance(1);
    expect(response?.headers.get('content-type')).toContain('text/event-stream');
    const reader = response!.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('"role":"assistant"');
    let done = false;
    const rest = (async () => {
      let text = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        text += value;
      }
      done = true;
      return text;
    })();
    await clock.advance(5);
    expect(done).toBe(false);
    await clock.advance(10_000);
    expect((await rest).trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(sim.stats()).toMatchObject({ inFlight: 0, successes: 1 });
  });

  it('stops its timers when the reader cancels the stream', async () => {
    const clock = new ManualClock();
    const sim = createSimulator({ clock, latencyMedianMs: 0, msPerOutputToken: 50 });
    const response = await sim.handle(chat({ ...hello, stream: true }));
    const reader = response.body!.getReader();
    await reader.read();
    const pending = reader.read();
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(1);
    await reader.cancel();
    await pending;
    expect(clock.pendingTimers).toBe(0);
    expect(sim.stats()).toMatchObject({ inFlight: 0, aborted: 1 });
  });

  it('ends the stream and the in-flight count when the request is aborted mid-stream', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sim = createSimulator({ clock, latencyMedianMs: 0, msPerOutputToken: 50 });
    const response = await sim.handle(
      new Request(`${URL_BASE}/chat/completions`, chatInit({ ...hello, stream: true }, controller.signal)),
    );
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(sim.stats()).toMatchObject({ inFlight: 0, aborted: 1 });
    expect(clock.pendingTimers).toBe(0);
  });
});

function chatInit(body: unknown, signal?: AbortSignal): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ?? null,
  };
}

interface ErrorBody {
  readonly error: { message: string; type: string; param: string | null; code: string | null };
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return ((await response.json()) as ErrorBody).error;
}

async function bodyOf<T = unknown>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
