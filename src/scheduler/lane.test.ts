import { describe, expect, it } from 'vitest';
import type { VolleyOptions } from '../client/options.js';
import { Volley } from '../client/volley.js';
import { sleep } from '../clock.js';
import type { VolleyError } from '../errors.js';
import { abortable, answer, apiError, fakeProvider, type Script } from '../test-support/fake-provider.js';
import { ManualClock } from '../test-support/manual-clock.js';

function setup(script: Script, options: Partial<VolleyOptions> = {}) {
  const clock = new ManualClock();
  const provider = fakeProvider(script);
  const volley = new Volley({ provider, clock, random: () => 0.5, ...options });
  return { clock, provider, volley };
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `prompt ${i}` }));

describe('lane: concurrency', () => {
  it('never has more calls in flight than the configured cap', async () => {
    const { clock, provider, volley } = setup(
      async (_r, ctx) => {
        await sleep(clock, 100, ctx.signal);
        return answer('ok');
      },
      { limits: { concurrency: 3 } },
    );
    const done = volley.all(prompts(10));
    await clock.advance(1000);
    const results = await done;
    expect(results).toHaveLength(10);
    expect(provider.maxInFlight).toBe(3);
    // 10 calls, 3 at a time, 100 ms each: four rounds.
    expect(Math.max(...results.map((r) => r.timings.finishedAt))).toBe(400);
  });

  it('grows its adaptive cap while the cap is what holds calls back', async () => {
    const { clock, provider, volley } = setup(async (_r, ctx) => {
      await sleep(clock, 100, ctx.signal);
      return answer('ok');
    });
    const done = volley.settle(prompts(200));
    await clock.advance(10_000);
    await done;
    expect(provider.maxInFlight).toBeGreaterThan(16);
  });
  it('stops growing once the latency rises with the cap, where the calls added would only queue', async () => {
    // A server that answers one call every 10 ms, however many it is sent: the rest wait in its
    // queue, as calls do in this process's own event loop against a zero-latency server.
    let freeAt = 0;
    const { clock, provider, volley } = setup(async (_r, ctx) => {
      freeAt = Math.max(freeAt, clock.now()) + 10;
      await sleep(clock, freeAt - clock.now(), ctx.signal);
      return answer('ok');
    });
    const finished: number[] = [];
    volley.on('finished', (e) => finished.push(e.at));
    const done = volley.settle(prompts(300));
    await clock.advance(10_000);
    await done;
    // The server is never idle (300 answers, 10 ms apart) with 14 in flight: growth stops once
    // the latency is past its floor (10 ms) by 25 ms. Slow start alone doubled the cap until the
    // overload check cut it, with 56 in flight, each waiting 0.5 s for the same throughput.
    expect(finished.at(-1)).toBe(3000);
    expect(finished.slice(0, 3)).toEqual([10, 20, 30]);
    expect(provider.maxInFlight).toBe(14);
  });
});

describe('lane: a provider still loading its SDK', () => {
  it('dispatches nothing until the provider is ready, and probes from then, not from the start', async () => {
    const clock = new ManualClock();
    let ready = () => {};
    const provider = Object.assign(
      fakeProvider(async (_r, ctx) => {
        await sleep(clock, 100, ctx.signal);
        return answer('ok');
      }),
      { ready: () => new Promise<void>((resolve) => (ready = resolve)) },
    );
    const volley = new Volley({ provider, clock, random: () => 0.5 });
    const starts: number[] = [];
    volley.on('started', (e) => starts.push(e.at));
    const done = volley.settle(prompts(40));
    // Two seconds of loading: the probe, which grows the cap every 10 ms while nothing has come
    // back, would otherwise have taken them for a silent server and sent all 40.
    await clock.advance(2000);
    expect(starts).toEqual([]);
    ready();
    await clock.advance(0);
    expect(starts).toEqual(Array(8).fill(2000));
    await clock.advance(10);
    expect(starts).toHaveLength(9);
    await clock.advance(2000);
    await done;
  });
});

describe('lane: rate budgets', () => {
  it('paces a configured requests-per-minute limit, after a burst the size of one second', async () => {
    const { clock, volley } = setup(async () => answer('ok'), { limits: { rpm: 600 } });
    const done = volley.all(prompts(30));
    await clock.advance(5000);
    const starts = (await done).map((r) => r.timings.startedAt);
    expect(starts.slice(0, 10).every((t) => t === 0)).toBe(true);
    // Then one every 100 ms: 30 calls take 2 s.
    expect(starts[10]).toBe(100);
    expect(starts[29]).toBe(2000);
  });

  it('holds calls back by tokens per minute, counting prompt and reserved output', async () => {
    const { clock, volley } = setup(async () => answer('ok'), { limits: { tpm: 60_000 } });
    const estimates: Array<number | undefined> = [];
    volley.on('queued', (e) => estimates.push(e.estimatedTokens));
    // 1,000 tokens per second, 1,000 burst; each call reserves ~510 tokens.
    const done = volley.all(Array.from({ length: 6 }, () => ({ prompt: 'hi', maxTokens: 500 })));
    expect(estimates).toEqual(Array(6).fill(500 + 7)); // 'hi' is 1 token, plus 6 of chat framing
    await clock.advance(5000);
    const starts = (await done).map((r) => r.timings.startedAt);
    expect(starts[0]).toBe(0);
    expect(starts[5]).toBeGreaterThan(1500);
    expect(starts[5]).toBeLessThan(3000);
  });

  it('counts no tokens while the lane has no tokens budget', async () => {
    const { clock, volley } = setup(async () => answer('ok'), { limits: { rpm: 600 } });
    const estimates: Array<number | undefined> = [];
    volley.on('queued', (e) => estimates.push(e.estimatedTokens));
    const done = volley.all(prompts(3));
    await clock.advance(100);
    await done;
    expect(estimates).toEqual([undefined, undefined, undefined]);
  });

  it('learns the limits from the headers when none are configured', async () => {
    const headers = { 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '590' };
    const { clock, volley } = setup(async () => answer('ok', headers));
    const done = volley.all(prompts(40));
    await clock.advance(10_000);
    await done;
    const [lane] = volley.lanes();
    expect(lane?.rpm).toBe(600);
  });

  it('says why a queued call waits', async () => {
    const { clock, volley } = setup(async () => answer('ok'), { limits: { rpm: 60 } });
    const done = volley.all(prompts(3), { id: 'w' });
    await clock.advance(0);
    expect(volley.why('w-0')).toBeUndefined(); // settled already
    expect(volley.why('w-2')).toBe('requests');
    await clock.advance(3000);
    await done;
  });
});

describe('lane: 429 and retries', () => {
  it('pauses the whole lane on a 429 for retry-after-ms, and the retried call goes first', async () => {
    let calls = 0;
    const { clock, volley } = setup(
      async (request) => {
        calls++;
        if (calls === 1) throw apiError('rate_limited', 429, { 'retry-after-ms': '500' });
        return answer(String(request.messages[0]?.content));
      },
      { limits: { concurrency: 1 } },
    );
    const paused: number[] = [];
    volley.on('rate-limited', (e) => paused.push(e.pauseMs));
    const done = volley.all(prompts(3));
    await clock.advance(100);
    expect(volley.lanes()[0]?.waitingFor).toBe('paused');
    await clock.advance(1000);
    const results = await done;
    expect(paused).toEqual([500]);
    expect(results[0]?.timings.startedAt).toBe(500); // nothing was sent during the pause
    expect(results[0]?.timings.attempts).toBe(2);
    expect(results[1]?.timings.startedAt).toBeGreaterThanOrEqual(500);
  });

  it('retries transient failures with backoff and counts the attempts', async () => {
    let calls = 0;
    const { clock, volley } = setup(async () => {
      calls++;
      if (calls <= 2) throw apiError('server_error', 503);
      return answer('ok');
    });
    const retried: number[] = [];
    volley.on('retried', (e) => retried.push(e.delayMs));
    const done = volley.complete({ prompt: 'x' });
    await clock.advance(5000);
    const result = await done;
    expect(result.timings.attempts).toBe(3);
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1000 ms.
    expect(retried).toEqual([250, 500]);
    expect(result.timings.queuedMs).toBe(750);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { clock, volley } = setup(async () => Promise.reject(apiError('server_error', 500)), {
      retry: { maxAttempts: 3 },
    });
    const done = volley.complete({ prompt: 'x' }).catch((e: VolleyError) => e);
    await clock.advance(10_000);
    const error = await done;
    expect(error).toMatchObject({ code: 'server_error', attempts: 3, status: 500, requestID: 'req_err' });
  });

  it('does not retry a fatal error', async () => {
    const { clock, provider, volley } = setup(async () =>
      Promise.reject(apiError('context_length_exceeded', 400)),
    );
    const done = volley.complete({ prompt: 'x' }).catch((e: VolleyError) => e);
    await clock.advance(1000);
    expect(await done).toMatchObject({ code: 'context_length_exceeded', attempts: 1 });
    expect(provider.sent).toHaveLength(1);
  });

  it('stops the lane on a 401 with one clear error for every queued call', async () => {
    const { clock, provider, volley } = setup(
      async (_r, ctx) => {
        await sleep(clock, 10, ctx.signal);
        throw apiError('authentication', 401);
      },
      { limits: { concurrency: 1 } },
    );
    const done = volley.settle(prompts(50));
    await clock.advance(1000);
    const results = await done;
    expect(provider.sent).toHaveLength(1);
    expect(results.every((r) => !r.ok && r.error.code === 'authentication')).toBe(true);
    await expect(volley.complete({ prompt: 'later' })).rejects.toMatchObject({ code: 'authentication' });
  });
});

describe('lane: timeouts, deadlines and cancellation', () => {
  it('times out an attempt, retries it, and frees the slot only once the abort has landed', async () => {
    let calls = 0;
    const { clock, provider, volley } = setup(
      async (_r, ctx) => {
        calls++;
        if (calls === 1) {
          // The first attempt hangs; once aborted it takes 50 ms more to really let go.
          await abortable(ctx.signal).catch(async () => {
            await sleep(clock, 50);
          });
          throw new Error('aborted');
        }
        await sleep(clock, 10, ctx.signal);
        return answer('ok');
      },
      { timeout: 1000, limits: { concurrency: 1 } },
    );
    const first = volley.complete({ prompt: 'a' });
    const second = volley.complete({ prompt: 'b' });
    await clock.advance(1020);
    expect(provider.maxInFlight).toBe(1);
    expect(provider.inFlight).toBe(1); // still letting go
    await clock.advance(1000);
    const [a, b] = await Promise.all([first, second]);
    expect(a.timings.attempts).toBe(2);
    expect(b.timings.startedAt).toBeGreaterThanOrEqual(1050);
    expect(provider.maxInFlight).toBe(1);
  });

  it('fails a call that runs past its deadline', async () => {
    const { clock, volley } = setup(async (_r, ctx) => abortable(ctx.signal), { timeout: 10_000 });
    const done = volley.complete({ prompt: 'x' }, { deadline: 2000 }).catch((e: VolleyError) => e);
    await clock.advance(2500);
    expect(await done).toMatchObject({ code: 'deadline_exceeded', attempts: 1 });
  });

  it('keeps the deadlines of a thousand calls on one timer, and fails each at its own', async () => {
    const { clock, volley } = setup(async (_r, ctx) => abortable(ctx.signal), {
      timeout: 10_000,
      limits: { concurrency: 1 },
    });
    const first = volley.settle(prompts(500), { deadline: 300 });
    await clock.advance(100);
    const second = volley.settle(prompts(500), { deadline: 300 });
    await clock.advance(0);
    // One deadline timer, the one call in flight's timeout, nothing per call.
    expect(clock.pendingTimers).toBe(2);
    const failedAt: number[] = [];
    volley.on('failed', (e) => failedAt.push(e.at));
    await clock.advance(400);
    const results = [...(await first), ...(await second)];
    expect(results.every((r) => !r.ok && r.error.code === 'deadline_exceeded')).toBe(true);
    expect(failedAt.slice(0, 500).every((at) => at === 300)).toBe(true);
    expect(failedAt.slice(500).every((at) => at === 400)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels queued and in-flight calls through an AbortSignal', async () => {
    const { clock, provider, volley } = setup(async (_r, ctx) => abortable(ctx.signal), {
      limits: { concurrency: 1 },
    });
    const controller = new AbortController();
    const done = volley.settle(prompts(3), { signal: controller.signal });
    await clock.advance(100);
    controller.abort();
    await clock.advance(0);
    const results = await done;
    expect(results.map((r) => !r.ok && r.error.code)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(provider.sent).toHaveLength(1);
    await volley.onIdle();
  });
});

describe('client API', () => {
  it('all() fails fast and cancels the rest; settle() reports each in input order', async () => {
    const { clock, volley } = setup(async (request, ctx) => {
      const text = String(request.messages[0]?.content);
      if (text === 'prompt 1') throw apiError('bad_request', 400);
      await sleep(clock, 100, ctx.signal);
      return answer(text);
    });
    const failing = volley.all(prompts(4)).catch((e: VolleyError) => e);
    await clock.advance(0);
    expect(await failing).toMatchObject({ code: 'bad_request' });
    await volley.onIdle();

    const settled = volley.settle(prompts(4));
    await clock.advance(200);
    const results = await settled;
    expect(results.map((r) => (r.ok ? r.value.text : r.error.code))).toEqual([
      'prompt 0',
      'bad_request',
      'prompt 2',
      'prompt 3',
    ]);
  });

  it('runs higher priority first among queued calls', async () => {
    const order: string[] = [];
    const { clock, volley } = setup(
      async (request, ctx) => {
        order.push(String(request.messages[0]?.content));
        await sleep(clock, 10, ctx.signal);
        return answer('ok');
      },
      { limits: { concurrency: 1 } },
    );
    const first = volley.complete({ prompt: 'first' });
    await clock.advance(0); // 'first' is in flight, holding the only slot
    const calls = [
      first,
      volley.complete({ prompt: 'low' }),
      volley.complete({ prompt: 'high' }, { priority: 5 }),
    ];
    await clock.advance(100);
    await Promise.all(calls);
    expect(order).toEqual(['first', 'high', 'low']);
  });

  it('ages a waiting call one priority level per 2 s waited: a deeper step cannot starve a first one', async () => {
    const order: string[] = [];
    const { clock, volley } = setup(
      async (request, ctx) => {
        order.push(String(request.messages[0]?.content));
        await sleep(clock, 3000, ctx.signal);
        return answer('ok');
      },
      { limits: { concurrency: 1 } },
    );
    const calls = [volley.complete({ prompt: 'busy' })];
    await clock.advance(0); // holds the only slot for 3 s
    calls.push(volley.complete({ prompt: 'old, level 0' }));
    await clock.advance(1000);
    calls.push(volley.complete({ prompt: 'newer by 1 s, level 1' }, { priority: 1 }));
    await clock.advance(1500);
    // 2.5 s after the first waiter: a level higher is no longer enough to pass it.
    calls.push(volley.complete({ prompt: 'newer by 2.5 s, level 1' }, { priority: 1 }));
    await clock.advance(20_000);
    await Promise.all(calls);
    expect(order).toEqual(['busy', 'newer by 1 s, level 1', 'old, level 0', 'newer by 2.5 s, level 1']);
  });

  it('rejects a request with nothing to send before it is queued', async () => {
    const { provider, volley } = setup(async () => answer('ok'));
    await expect(volley.complete({ messages: [] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(volley.complete({})).rejects.toMatchObject({ code: 'invalid_request' });
    expect(provider.sent).toHaveLength(0);
  });

  it('rejects unknown options and impossible limits when the client is created, naming them', () => {
    const provider = fakeProvider(async () => answer('ok'));
    expect(() => new Volley({ provider, concurrency: 5 } as never)).toThrow(/Unknown option `concurrency`/);
    expect(() => new Volley({ provider, limits: { concurrency: 0 } })).toThrow(/`limits.concurrency`/);
    expect(() => new Volley({ provider, limits: { rpm: -1 } })).toThrow(/`limits.rpm`/);
    expect(() => new Volley({ provider, limits: { rpms: 1 } as never })).toThrow(/`limits.rpms`/);
  });

  it('clearQueued() cancels the waiting calls it is asked to, not those on the wire', async () => {
    let calls = 0;
    const { clock, provider, volley } = setup(
      async (_r, ctx) => {
        calls++;
        if (calls === 2) throw apiError('server_error', 503); // goes to backoff
        await sleep(clock, 100, ctx.signal);
        return answer('ok');
      },
      { limits: { concurrency: 2 } },
    );
    const done = volley.settle(prompts(6), { id: 'c' });
    await clock.advance(0); // c-0 on the wire, c-1 failed into backoff, c-2 on the wire
    expect(volley.why('c-1')).toBe('backoff');
    expect(volley.clearQueued((id) => id !== 'c-5')).toBe(3); // c-1 (backoff), c-3, c-4
    expect(volley.clearQueued((id) => id === 'c-0')).toBe(0); // on the wire
    await clock.advance(1000);
    const outcome = (await done).map((r) => (r.ok ? 'ok' : r.error.code));
    expect(outcome).toEqual(['ok', 'aborted', 'ok', 'aborted', 'aborted', 'ok']);
    expect(provider.sent).toHaveLength(4);
    expect(volley.clearQueued()).toBe(0);
  });

  it('pause() holds every call not yet sent until start(), in p-queue style', async () => {
    const { clock, provider, volley } = setup(async (_r, ctx) => {
      await sleep(clock, 100, ctx.signal);
      return answer('ok');
    });
    volley.pause();
    expect(volley.isPaused).toBe(true);
    const done = volley.all(prompts(3));
    await clock.advance(500);
    expect(provider.sent).toHaveLength(0);
    expect(volley.lanes()[0]?.waitingFor).toBe('held');
    volley.start();
    expect(volley.isPaused).toBe(false);
    await clock.advance(100);
    const results = await done;
    expect(results.map((r) => r.timings.startedAt)).toEqual([500, 500, 500]);
    expect(results[0]?.timings.queuedMs).toBe(500);
    await volley.onIdle();
  });

  it('tells onDelta which attempt each piece belongs to, so a retry starts the text over', async () => {
    let calls = 0;
    const { clock, volley } = setup(async (_r, ctx) => {
      calls++;
      ctx.onDelta?.(`try ${calls} `);
      if (calls === 1) throw apiError('server_error', 500);
      ctx.onDelta?.('done');
      return answer(`try ${calls} done`);
    });
    const pieces: Array<[string, number]> = [];
    const done = volley.complete(
      { prompt: 'x' },
      { onDelta: (text, attempt) => pieces.push([text, attempt]) },
    );
    await clock.advance(1000);
    const result = await done;
    expect(pieces).toEqual([
      ['try 1 ', 1],
      ['try 2 ', 2],
      ['done', 2],
    ]);
    const last = pieces.filter(([, attempt]) => attempt === result.timings.attempts).map(([text]) => text);
    expect(last.join('')).toBe(result.text);
  });

  it('checks maxOutage like every other option', () => {
    const provider = fakeProvider(async () => answer('ok'));
    expect(new Volley({ provider }).options.maxOutage).toBe(300_000);
    expect(() => new Volley({ provider, maxOutage: 0 })).toThrow(/`maxOutage`/);
    expect(() => new Volley({ provider, maxOutge: 1 } as never)).toThrow(/Did you mean `maxOutage`/);
  });
});
