/**
 * What both SDK-based providers do alike, one suite over both (`test-support/cases.ts`), against
 * recording fetch doubles. The OpenAI provider is also tested against the simulator
 * (`openai/openai.test.ts`).
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, VolleyError } from '../errors.js';
import { OptionError } from '../options/check.js';
import { CASES, live, request, setup } from './test-support/cases.js';
import { failure, json } from './test-support/doubles.js';

/** A signal that counts the listeners added to it: an attempt's own signal must carry no more than it needs. */
function countedSignal() {
  const controller = new AbortController();
  const signal = controller.signal;
  let added = 0;
  const add = signal.addEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    added++;
    add(...args);
  }) as typeof add;
  return { controller, signal, added: () => added };
}

const hash8 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

describe.each(CASES)('$name provider', (c) => {
  describe('the contract', () => {
    it('names its protocol, server, account and Batch API endpoint, never its key', () => {
      const { provider: p } = setup(c, () => json({}));
      expect(p.kind).toBe(c.name);
      expect(p.name).toBe(c.name);
      expect(p.baseURL).toBe(c.base);
      expect(p.keyFingerprint).toBe(hash8(c.key));
      expect(p.endpoint).toBe(c.name === 'openai' ? '/v1/chat/completions' : '/v1/messages');
      expect(p.id).toBe(`${c.name}:${c.base}#${hash8(c.key)}`);
    });

    it('posts exactly requestBody(request), and reads the answer as readBody does', async () => {
      const body = c.answer('Hello there');
      const { provider: p, calls } = setup(c, () => json(body, 200, { [c.requestIDHeader]: 'req_abc' }));
      const req = request({ maxTokens: 50, temperature: 0.2, params: { seed: 7 } });
      const response = await p.send(req, { signal: live() });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url).toBe(c.url);
      expect(calls[0]!.body).toEqual(p.requestBody(req));
      expect(response).toMatchObject(p.readBody(body));
      expect(response).toMatchObject({
        text: 'Hello there',
        usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
        model: 'model-2025',
        requestID: 'req_abc',
        raw: body,
      });
    });

    it('streams each delta, and records the answer as the whole body would be', async () => {
      const { provider: p, calls } = setup(c, () => c.stream(['Hel', 'lo']));
      const deltas: string[] = [];
      const response = await p.send(request(), { signal: live(), onDelta: (text) => deltas.push(text) });
      expect(deltas).toEqual(['Hel', 'lo']);
      expect(response.text).toBe('Hello');
      expect(response.usage).toEqual({ promptTokens: 12, completionTokens: 3, totalTokens: 15 });
      expect(p.readBody(response.raw)).toEqual({
        text: response.text,
        usage: response.usage,
        finishReason: response.finishReason,
        model: response.model,
      });
      expect(calls[0]!.body).toMatchObject({ ...p.requestBody(request()), stream: true });
    });

    it('falls back to the request model when a body names none', () => {
      const { provider: p } = setup(c, () => json({}));
      const { model: _model, ...body } = c.answer('x') as Record<string, unknown>;
      expect(p.readBody(body, 'asked').model).toBe('asked');
    });
  });

  describe('answers that are not answers', () => {
    it('maps a message with neither text nor tool calls to malformed_response, and keeps one with tools', async () => {
      const { provider: p } = setup(c, () => json(c.answer('')));
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('malformed_response');
      expect(error.status).toBe(200);
      expect(error.message).toMatch(/neither text nor tool/);
      const tools = setup(c, () => json(c.answer('', { tool: true })));
      expect((await tools.provider.send(request(), { signal: live() })).text).toBe('');
    });

    it.each([
      ['invalid JSON', () => new Response('{"x": [', { headers: { 'content-type': 'application/json' } })],
      ['an HTML page', () => new Response('<html>hi</html>', { headers: { 'content-type': 'text/html' } })],
      ['an empty body', () => new Response('', { headers: { 'content-type': 'application/json' } })],
      ['a body of another API', () => json({ id: 'x', object: 'something' })],
    ])('maps %s to malformed_response', async (_name, answer) => {
      const { provider: p } = setup(c, answer);
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('malformed_response');
      expect(error.message).toMatch(c.name === 'openai' ? /OpenAI-compatible/ : /Anthropic Messages API/);
    });

    it('maps a stream cut before the server finished to connection_error', async () => {
      const { provider: p } = setup(c, () => c.stream(['Hel'], false));
      const error = await failure(p.send(request(), { signal: live(), onDelta: () => {} }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain(c.base);
    });

    it('maps an error event inside the stream', async () => {
      const { provider: p } = setup(c, () => c.streamError('rate_limit_error', 'slow down'));
      const error = await failure(p.send(request(), { signal: live(), onDelta: () => {} }));
      expect(error.code).toBe(c.name === 'openai' ? 'server_error' : 'rate_limited');
      expect(error.status).toBeUndefined();
      expect(error.message).toContain('reported in the stream');
    });
  });

  describe('error statuses', () => {
    it('keeps the status, headers and request id of a 429, in exactly one attempt', async () => {
      const { provider: p, calls } = setup(c, () =>
        c.error(
          429,
          'Rate limit reached',
          { 'retry-after': '2', [c.requestIDHeader]: 'req_429' },
          'rate_limit_error',
        ),
      );
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('rate_limited');
      expect(error.status).toBe(429);
      expect(error.requestID).toBe('req_429');
      expect(error.headers?.get('retry-after')).toBe('2');
      expect(error.retryable).toBeUndefined();
      expect(calls).toHaveLength(1);
    });

    it.each([
      ['true', true],
      ['false', false],
    ])('keeps x-should-retry: %s as the server verdict, still one attempt', async (header, verdict) => {
      const { provider: p, calls } = setup(c, () => c.error(409, 'busy', { 'x-should-retry': header }));
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('conflict');
      expect(error.retryable).toBe(verdict);
      expect(calls).toHaveLength(1);
    });

    it('maps a 429 for a request larger than the tokens limit to request_too_large, naming the numbers', async () => {
      const message =
        'Request too large for model in organization org-1 on tokens per min (TPM): Limit 2000, Requested 5100. The input or output tokens must be reduced in order to run successfully.';
      const { provider: p } = setup(c, () => c.error(429, message, {}, 'rate_limit_error'));
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('request_too_large');
      expect(error.status).toBe(429);
      expect(error.message).toMatch(/limit 2000 tokens per minute, requested 5100/);
      expect(error.message).toMatch(/Lower max_tokens, shorten the prompt, or split it/);
      expect(error.message).not.toMatch(/concurrency/);
    });

    it('maps a 429 with x-should-retry: false about a tokens limit to request_too_large', async () => {
      const { provider: p } = setup(c, () =>
        c.error(
          429,
          'This request would exceed the rate limit of 30,000 input tokens per minute.',
          { 'x-should-retry': 'false' },
          'rate_limit_error',
        ),
      );
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('request_too_large');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/limit 30000 tokens per minute/);
    });

    it('states the context window from the message, never the status as one', async () => {
      const message =
        c.name === 'openai'
          ? "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens."
          : 'prompt is too long: 250000 tokens > 200000 maximum';
      const { provider: p } = setup(c, () => c.error(400, message));
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('context_length_exceeded');
      expect(error.message).toContain(
        `context window of ${c.name === 'openai' ? 4096 : 200000} tokens (HTTP 400)`,
      );
    });

    it('says a 501 is not temporary', async () => {
      const { provider: p } = setup(c, () => c.error(501, 'Not implemented', {}, 'api_error'));
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('server_error');
      expect(error.status).toBe(501);
      expect(error.message).toMatch(/retrying will not help/);
    });

    it('names the model and the server on a 404', async () => {
      const { provider: p } = setup(c, () => c.error(404, 'no such model', {}, 'not_found_error'));
      const error = await failure(p.send(request({ model: 'typo-model' }), { signal: live() }));
      expect(error.code).toBe('not_found');
      expect(error.message).toContain('"typo-model"');
      expect(error.message).toContain(c.base);
    });

    it('maps a connection reset to ConnectionError naming the server, in one attempt', async () => {
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const { provider: p, calls } = setup(c, () => {
        throw new TypeError('fetch failed', { cause: reset });
      });
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain('ECONNRESET');
      expect(error.message).toContain(c.base);
      expect(calls).toHaveLength(1);
    });
  });

  describe('the signal', () => {
    const hanging = () => new Promise<Response>(() => {});

    it('sends nothing when the signal has already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const { provider: p, calls } = setup(c, () => json(c.answer('x')));
      expect(await failure(p.send(request(), { signal: controller.signal }))).toBeInstanceOf(AbortError);
      expect(calls).toHaveLength(0);
    });

    // The fetch never settles, even when its signal aborts: the attempt ends all the same.
    it('aborts a request in flight, and the fetch sees it', async () => {
      const controller = new AbortController();
      const { provider: p, sent } = setup(c, hanging);
      const pending = p.send(request(), { signal: controller.signal });
      const call = await sent;
      controller.abort();
      const error = await failure(pending);
      expect(error).toBeInstanceOf(AbortError);
      expect(call.signal?.aborted).toBe(true);
    });

    it('throws the abort reason when it is already a VolleyError (a scheduler timeout)', async () => {
      const controller = new AbortController();
      const { provider: p, sent } = setup(c, hanging);
      const pending = p.send(request(), { signal: controller.signal });
      await sent;
      const reason = new TimeoutError('timeout', 'attempt timed out');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
    });

    it('stops mid-stream when aborted, with AbortError', async () => {
      const controller = new AbortController();
      const { provider: p } = setup(c, () => c.stream(['Hel', 'lo']));
      const deltas: string[] = [];
      const onDelta = (text: string) => {
        deltas.push(text);
        controller.abort();
      };
      expect(await failure(p.send(request(), { signal: controller.signal, onDelta }))).toBeInstanceOf(
        AbortError,
      );
      expect(deltas).toEqual(['Hel']);
    });

    it("rethrows what the caller's onDelta throws, untouched", async () => {
      const { provider: p } = setup(c, () => c.stream(['Hel', 'lo']));
      const mine = new RangeError('mine');
      const onDelta = () => {
        throw mine;
      };
      await expect(p.send(request(), { signal: live(), onDelta })).rejects.toBe(mine);
    });

    it('leaves no listener on a long-lived signal', async () => {
      const signal = live();
      let listeners = 0;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = ((...args: Parameters<typeof add>) => {
        listeners++;
        add(...args);
      }) as typeof add;
      signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
        listeners--;
        remove(...args);
      }) as typeof remove;
      const { provider: p } = setup(c, () => json(c.answer('x')));
      for (let i = 0; i < 3; i++) await p.send(request(), { signal });
      await setup(c, () => c.stream(['a'])).provider.send(request(), { signal, onDelta: () => {} });
      await failure(setup(c, () => c.error(500, 'boom')).provider.send(request(), { signal }));
      expect(listeners).toBe(0);
    });
    // The lane's signal is new for each attempt: no child signal is made to keep the SDK's listener
    // (never removed) off it, and an abort still ends a fetch that never settles.
    it("hands an attempt's own signal to the SDK as it is", async () => {
      const { controller, signal, added } = countedSignal();
      await setup(c, () => json(c.answer('x'))).provider.send(request(), { signal, ownSignal: true });
      expect(added()).toBe(2); // the attempt's race, and the SDK's own
      const { provider: p, sent } = setup(c, hanging);
      const pending = p.send(request(), { signal, ownSignal: true });
      const call = await sent;
      controller.abort();
      expect(await failure(pending)).toBeInstanceOf(AbortError);
      expect(call.signal?.aborted).toBe(true);
    });

    it('adds no listener of its own when the attempt tells it of the abort, and still ends a hung fetch', async () => {
      const { controller, signal, added } = countedSignal();
      let listener: { handleEvent(): void } | undefined;
      const context = { signal, ownSignal: true, onAbort: (l: { handleEvent(): void }) => (listener = l) };
      await setup(c, () => json(c.answer('x'))).provider.send(request(), context);
      expect(added()).toBe(1); // the SDK's own
      const { provider: p, sent } = setup(c, hanging);
      const pending = p.send(request(), context);
      const call = await sent;
      controller.abort();
      listener?.handleEvent();
      expect(await failure(pending)).toBeInstanceOf(AbortError);
      expect(call.signal?.aborted).toBe(true);
    });
  });

  describe('keys', () => {
    it('keeps the key out of every message, JSON, stack and cause, and out of the provider', async () => {
      const { provider: p } = setup(c, () =>
        c.error(
          401,
          `Incorrect API key provided: ${c.key.slice(0, 6)}***${c.key.slice(-4)}. Or was it ${c.key}? Bearer ${c.key}`,
        ),
      );
      const error = await failure(p.send(request(), { signal: live() }));
      expect(error.code).toBe('authentication');
      expect(error.message).toContain(`Check ${c.keyEnv}`);
      const chain: string[] = [];
      for (let link: unknown = error; link instanceof Error; link = link.cause) {
        chain.push(link.message, link.stack ?? '', JSON.stringify((link as { error?: unknown }).error) ?? '');
      }
      for (const text of [
        ...chain,
        JSON.stringify(error),
        inspect(error, { depth: 8 }),
        p.id,
        JSON.stringify(p),
        inspect(p, { depth: 8 }),
      ]) {
        expect(text).not.toContain(c.key);
        expect(text).not.toContain(c.key.slice(7, 22));
      }
    });

    it('never echoes a key passed as another option', () => {
      let message = '';
      try {
        c.build({ apiKey: c.key, baseURL: c.key, env: {} });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/baseURL/);
      expect(message).not.toContain(c.key);
    });
  });

  describe('options', () => {
    it('builds its id from the base URL and a fingerprint of the key', () => {
      const p = c.build({ apiKey: c.key, baseURL: `${c.base}/`, env: {} });
      expect(p.id).toBe(`${c.name}:${c.base}#${hash8(c.key)}`);
      expect(c.build({ apiKey: `${c.key}x`, baseURL: c.base, env: {} }).id).not.toBe(p.id);
      expect(c.build({ apiKey: c.key, env: {} }).id).toBe(`${c.name}:${c.defaultBase}#${hash8(c.key)}`);
      const noKey = c.build({ baseURL: 'http://u:secretpw@h:1/v1', env: {} });
      expect(noKey.id).toBe(`${c.name}:http://h:1/v1#nokey`);
      expect(noKey.baseURL).toBe('http://h:1/v1');
      expect(noKey.keyFingerprint).toBeUndefined();
    });

    it('falls back to the injected environment, and prefers options to it', async () => {
      const fromEnv = setup(c, () => json(c.answer('x')), {
        apiKey: undefined,
        baseURL: undefined,
        env: { [c.keyEnv]: ` ${c.key} `, [c.baseEnv]: 'http://env.local/v1' },
      });
      await fromEnv.provider.send(request(), { signal: live() });
      expect(fromEnv.provider.id).toBe(`${c.name}:http://env.local/v1#${hash8(c.key)}`);
      expect(fromEnv.calls[0]!.url.startsWith('http://env.local/v1/')).toBe(true);
      const auth = (call: { headers: Headers }) =>
        `${call.headers.get('authorization')} ${call.headers.get('x-api-key')}`;
      expect(auth(fromEnv.calls[0]!)).toContain(c.key);

      const given = setup(c, () => json(c.answer('x')), {
        apiKey: 'sk-option-key-123',
        defaultHeaders: { 'x-extra': 'yes' },
        env: { [c.keyEnv]: c.key, [c.baseEnv]: 'http://env.local/v1' },
      });
      await given.provider.send(request(), { signal: live() });
      expect(given.calls[0]!.url).toBe(c.url);
      expect(auth(given.calls[0]!)).toContain('sk-option-key-123');
      expect(given.calls[0]!.headers.get('x-extra')).toBe('yes');
    });

    it('sends a placeholder key to a server that needs none, and refuses to start with neither key nor URL', async () => {
      const local = setup(c, () => json(c.answer('x')), { apiKey: undefined });
      await local.provider.send(request(), { signal: live() });
      expect(
        `${local.calls[0]!.headers.get('authorization')} ${local.calls[0]!.headers.get('x-api-key')}`,
      ).toContain('not-needed');
      let error: unknown;
      try {
        c.build({ env: {} });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(VolleyError);
      expect((error as VolleyError).code).toBe('authentication');
      expect((error as VolleyError).message).toContain(c.keyEnv);
    });

    it.each([
      [{ nope: 1 }, /Unknown option `nope`/],
      [{ baseUrl: 'http://h' }, /Unknown option `baseUrl`. Did you mean `baseURL`\?/],
      [{ baseURL: 42 }, /option `baseURL` must be a URL string/],
      [{ baseURL: 'ftp://x' }, /option `baseURL` must be an http\(s\) URL/],
      [{ baseURL: 'not a url' }, /option `baseURL` must be an http\(s\) URL/],
      [{ apiKey: '' }, /option `apiKey` must be a non-empty string, got an empty string/],
      [{ apiKey: 123 }, /option `apiKey` must be a non-empty string, got a number/],
      [{ defaultModel: '' }, /option `defaultModel` must be a non-empty string/],
      [{ fetch: 'fetch' }, /option `fetch` must be a function/],
      [{ defaultHeaders: { a: 1 } }, /option `defaultHeaders.a` must be a string/],
      [{ env: 'x' }, /option `env` must be an object/],
      [{ client: {} }, /option `client` must be an? (OpenAI|Anthropic) client/],
    ])('rejects %o with an OptionError', (options, message) => {
      const build = () => c.build({ apiKey: 'sk-test-key', env: {}, ...options });
      expect(build).toThrow(OptionError);
      expect(build).toThrow(message);
    });

    it('rejects options that are not an object, and a bad base URL in the environment', () => {
      expect(() => c.build('sk-x' as never)).toThrow(/options must be an object, got a string/);
      expect(() => c.build({ env: { [c.baseEnv]: 'localhost:8000' } })).toThrow(
        new RegExp(`${c.baseEnv} must be`),
      );
    });
  });
});
