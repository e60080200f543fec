/**
 * Per-request limits, head-of-line blocking, 429 pauses, learned limits and outages, on a manual
 * clock with a scripted provider: every dispatch time is exact.
 */
import { describe, expect, it } from 'vitest';
import type { VolleyOptions } from '../client/options.js';
import { Volley } from '../client/volley.js';
import { sleep } from '../clock.js';
import { APIError, ConnectionError, type VolleyError } from '../errors.js';
import type { ProviderResponse } from '../providers/types.js';
import { apiError, fakeProvider, type Script } from '../test-support/fake-provider.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';

function setup(script: Script, options: Partial<VolleyOptions> = {}) {
  const clock = new ManualClock();
  const provider = fakeProvider(script);
  const volley = new Volley({ provider, clock, random: () => 0.5, ...options });
  const starts: Array<[string, number]> = [];
  volley.on('started', (e) => starts.push([e.id, e.at]));
  return { clock, provider, volley, starts };
}

/** An answer with no usage, so that token budgets keep exactly their estimates. */
function plain(text: string, headers: Record<string, string> = {}): ProviderResponse {
  return {
    text,
    usage: undefined,
    finishReason: 'stop',
    model: 'fake-model',
    requestID: undefined,
    headers: new Headers(headers),
    raw: {},
  };
}

/** 'hi' counts 1 token plus 6 of chat framing: `tokens` in all with this max_tokens. */
const costing = (tokens: number) => ({ prompt: 'hi', maxTokens: tokens - 7 });

const startOf = (starts: Array<[string, number]>, id: string) => starts.find(([s]) => s === id)?.[1];

describe('a request that can never fit', () => {
  it('fails at once, alone, naming the limit, the request and what to do', async () => {
    const { clock, provider, volley, starts } = setup(
      async (_r, ctx) => {
        await sleep(clock, 100, ctx.signal);
        return plain('ok');
      },
      { limits: { tpm: 60_000 } },
    );
    const calls = [costing(70_007), costing(100), costing(100)].map((r, i) =>
      volley.complete(r, { id: `c${i}` }).catch((e: VolleyError) => e),
    );
    const [big, ...small] = await settleOn(clock, Promise.all(calls));
    expect(big).toMatchObject({ code: 'request_too_large', attempts: 0 });
    expect((big as VolleyError).message).toMatch(/70007 tokens .* more than the 60000 tokens/);
    expect((big as VolleyError).message).toMatch(/Lower max_tokens, shorten the prompt, or split it/);
    expect(small.every((r) => !(r instanceof Error))).toBe(true);
    expect(provider.sent).toHaveLength(2);
    expect(starts.map(([, at]) => at)).toEqual([0, 0]); // nothing was paused
  });

  it('fails alone after one attempt when the server refuses it as too large, without pausing', async () => {
    const { clock, volley, starts } = setup(async (request, ctx) => {
      if (request.maxTokens === 5000) {
        throw new APIError('rate_limited', 'Request too large for m: Limit 2000, Requested 5007.', {
          status: 429,
          retryable: false,
          headers: new Headers({
            'x-ratelimit-limit-tokens': '60000',
            'x-ratelimit-remaining-tokens': '60000',
          }),
        });
      }
      await sleep(clock, 100, ctx.signal);
      return plain('ok');
    });
    const big = volley
      .complete({ prompt: 'hi', maxTokens: 5000 }, { id: 'big' })
      .catch((e: VolleyError) => e);
    await clock.advance(0);
    const later = volley.settle([{ prompt: 'a' }, { prompt: 'b' }], { id: 'later' });
    await clock.advance(1000);
    expect(await big).toMatchObject({ code: 'request_too_large', attempts: 1, status: 429 });
    expect((await later).every((r) => r.ok)).toBe(true);
    expect(startOf(starts, 'later-0')).toBe(0); // no pause, and no emptied budget
    expect(volley.lanes()[0]?.pausedUntil).toBeUndefined();
  });

  it('retries what the server says to retry, even a status it would not retry by itself', async () => {
    let calls = 0;
    const { clock, volley } = setup(async () => {
      if (++calls === 1) throw new APIError('bad_request', 'x', { status: 400, retryable: true });
      return plain('ok');
    });
    const done = volley.complete({ prompt: 'x' });
    await clock.advance(1000);
    expect((await done).timings.attempts).toBe(2);
  });

  it('does not retry a 501', async () => {
    const { clock, provider, volley } = setup(async () => Promise.reject(apiError('server_error', 501)));
    const done = volley.complete({ prompt: 'x' }).catch((e: VolleyError) => e);
    await clock.advance(1000);
    expect(await done).toMatchObject({ code: 'server_error', attempts: 1 });
    expect(provider.sent).toHaveLength(1);
  });
});

describe('no head-of-line blocking on tokens', () => {
  // 60,000 tokens per minute: 1 token per ms, a one-second bucket of 1,000.
  it('lets no call go into debt ahead of smaller ones that fit', async () => {
    const clock = new ManualClock();
    const provider = fakeProvider(async (_r, ctx) => {
      await sleep(clock, 50, ctx.signal);
      return plain('ok');
    });
    const volley = new Volley({ provider, clock, random: () => 0.5, limits: { tpm: 60_000 } });
    const starts = new Map<string, number>();
    volley.on('started', (e) => starts.set(e.id, e.at));
    const big = volley.complete(costing(3000), { id: 'big' });
    const small = volley.all(
      Array.from({ length: 20 }, () => costing(100)),
      { id: 's' },
    );
    await settleOn(clock, Promise.all([big, small]));
    // Ten small ones fill the bucket at once (the cap goes to the ten the tokens budget allows at
    // once), then one every 100 ms as it refills...
    expect([...starts].filter(([id]) => id !== 'big').map(([, at]) => at)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
    ]);
    // ...and the big one keeps its place until it is alone, then goes on a full bucket. Before,
    // it went at 0 into a debt of 2,000 tokens that held every small one back for two seconds.
    expect(starts.get('big')).toBe(2000);
  });

  it('reserves the budget for a call that has waited a refill of what it needs: nothing jumps it', async () => {
    const clock = new ManualClock();
    const provider = fakeProvider(async (_r, ctx) => {
      await sleep(clock, 50, ctx.signal);
      return plain('ok');
    });
    const volley = new Volley({ provider, clock, random: () => 0.5, limits: { tpm: 60_000 } });
    const starts = new Map<string, number>();
    volley.on('started', (e) => starts.set(e.id, e.at));
    const calls = [
      volley.complete(costing(800), { id: 'a' }),
      volley.complete(costing(900), { id: 'b' }),
      volley.all(
        Array.from({ length: 20 }, () => costing(100)),
        { id: 's' },
      ),
    ];
    await settleOn(clock, Promise.all(calls));
    const small = Array.from({ length: 20 }, (_, i) => starts.get(`s-${i}`)!);
    // While 'b' waits for 900 tokens, the small ones that fit go past it as the bucket refills...
    expect(small.slice(0, 10)).toEqual([0, 0, 100, 200, 300, 400, 500, 600, 700, 800]);
    // ...until it has waited 900 ms, a refill of what it needs: then the budget is its own, and
    // goes to it once 900 tokens are back. Without that, small ones would take every 100 forever.
    expect(starts.get('b')).toBe(1700);
    expect(small.slice(10)).toEqual([1800, 1900, 2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700]);
  });
});

describe('a tokens budget kept busy from the first round trip', () => {
  it('grows the concurrency cap to what the tokens budget allows at once, not a step at a time', async () => {
    // 60,000 tokens a minute, a one-second bucket of 1,000: a hundred calls of 10 at once, then one
    // every 10 ms as it refills. Before, the cap (8, then the probe's steps) held them back.
    const { clock, volley, starts } = setup(
      async (_r, ctx) => {
        await sleep(clock, 50, ctx.signal);
        return plain('ok');
      },
      { limits: { tpm: 60_000 } },
    );
    const done = volley.all(
      Array.from({ length: 120 }, () => costing(10)),
      { id: 'c' },
    );
    await settleOn(clock, done);
    const times = starts.map(([, at]) => at);
    expect(times.slice(0, 100)).toEqual(Array(100).fill(0));
    expect(times.slice(100)).toEqual(Array.from({ length: 20 }, (_, i) => 10 * (i + 1)));
  });

  it('takes the first answer as the typical answer length at once, not a tenth of it', async () => {
    // 1,000 tokens in the bucket; 'hi' is 7 with its framing. Before any answer, a call reserves the
    // default 256 for its answer (263): three go. The first answer (20 tokens) makes it 27.
    const { clock, volley, starts } = setup(
      async (_r, ctx) => {
        await sleep(clock, 100, ctx.signal);
        return {
          ...plain('ok'),
          usage: { promptTokens: 7, completionTokens: 20, totalTokens: 27 },
        };
      },
      { limits: { tpm: 60_000, concurrency: 100 } },
    );
    const done = volley.settle(Array.from({ length: 12 }, () => ({ prompt: 'hi' })));
    await clock.advance(100);
    // Three at once and a fourth once 263 have refilled; at 100 the first three answers give back
    // 236 of their 263 each, enough for the other eight at 27 each. With a tenth of the first
    // answer's length (an estimate of 239), two would go.
    expect(starts.map(([, at]) => at)).toEqual([0, 0, 0, 52, ...Array(8).fill(100)]);
    await settleOn(clock, done);
  });
});

describe("following the server's token figures", () => {
  it("gives back an estimate's surplus once, though the server's remaining shows it too", async () => {
    // 240,000 tokens a minute, a one-second bucket of 4,000. The first call reserves 3,000 for its
    // answer (3,007 in all) and writes 1,500 (1,507 counted): 2,493 were left on the server's side
    // when it admitted the call, and it says so 100 ms later. Then 400 more have refilled: 2,893.
    const { clock, volley, starts } = setup(
      async (r, ctx) => {
        await sleep(clock, 100, ctx.signal);
        const counted = r.maxTokens === undefined ? 1507 : 3500;
        return {
          ...plain('ok', {
            'x-ratelimit-limit-tokens': '240000',
            'x-ratelimit-remaining-tokens': String((4000 - counted) * 60),
          }),
          usage: { promptTokens: 7, completionTokens: counted - 7, totalTokens: counted },
        };
      },
      { limits: { tpm: 240_000 }, outputTokens: 3000 },
    );
    const first = volley.complete({ prompt: 'hi' }, { id: 'first' });
    const second = volley.complete(costing(3500), { id: 'second' });
    await settleOn(clock, Promise.all([first, second]));
    // The second needs 3,500: 607 more than the 2,893, 152 ms of refill. Given back twice, the
    // surplus made the budget full at 100 and sent it then, into the server's 429.
    expect(startOf(starts, 'second')).toBe(252);
  });
});

describe('429 pauses as long as the server needs', () => {
  it('without retry-after, waits for the next request to refill, not for a long reset', async () => {
    let calls = 0;
    const limited = {
      'x-ratelimit-limit-requests': '120',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m30.5s',
    };
    const { clock, volley, starts } = setup(async () => {
      if (++calls === 3) throw apiError('rate_limited', 429, limited);
      return plain('ok', { 'x-ratelimit-limit-requests': '120', 'x-ratelimit-remaining-requests': '60' });
    });
    const done = volley.settle(
      Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}` })),
      { id: 'p' },
    );
    await clock.advance(10_000);
    expect((await done).every((r) => r.ok)).toBe(true);
    const times = starts.map(([, at]) => at);
    // 120 a minute is one every 500 ms: the 429 empties the budget, and the next one goes 500 ms
    // later (the retry first), not 90.5 s later.
    expect(Math.max(...times)).toBeLessThanOrEqual(2500);
    expect(volley.lanes()[0]).toMatchObject({ rpm: 120, pausedUntil: undefined });
  });

  it('honours retry-after-ms exactly, with one pause for the lane and no second draw for the retry', async () => {
    let calls = 0;
    const { clock, volley, starts } = setup(
      async (_r, ctx) => {
        if (++calls === 1) throw apiError('rate_limited', 429, { 'retry-after-ms': '700' });
        await sleep(clock, 10, ctx.signal);
        return plain('ok');
      },
      { limits: { concurrency: 1 } },
    );
    const retried: number[] = [];
    volley.on('retried', (e) => retried.push(e.delayMs));
    const done = volley.all([{ prompt: 'a' }, { prompt: 'b' }], { id: 'q' });
    await clock.advance(2000);
    await done;
    expect(retried).toEqual([700]);
    expect(starts).toEqual([
      ['q-0', 0],
      ['q-0', 700],
      ['q-1', 710],
    ]);
  });

  it('with a budget learned, the retry goes when retry-after-ms says, not a whole refill later', async () => {
    let calls = 0;
    const { clock, volley, starts } = setup(
      async (_r, ctx) => {
        if (++calls === 2)
          throw apiError('rate_limited', 429, {
            'x-ratelimit-limit-requests': '120',
            'x-ratelimit-remaining-requests': '0',
            'retry-after-ms': '200',
          });
        await sleep(clock, 10, ctx.signal);
        return plain('ok', { 'x-ratelimit-limit-requests': '120', 'x-ratelimit-remaining-requests': '60' });
      },
      { limits: { concurrency: 1 } },
    );
    const done = volley.all([{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }], { id: 'r' });
    await clock.advance(2000);
    await done;
    // 120 a minute refills a call in 500 ms; the server said 200 ms, so the retry goes at 210.
    expect(starts.slice(0, 3)).toEqual([
      ['r-0', 0],
      ['r-1', 10],
      ['r-1', 210],
    ]);
    expect(starts).toHaveLength(4);
  });

  it('keeps a configured concurrency fixed through 429s', async () => {
    let calls = 0;
    const { clock, volley } = setup(
      async (_r, ctx) => {
        if (++calls <= 2) throw apiError('rate_limited', 429, { 'retry-after-ms': '10' });
        await sleep(clock, 10, ctx.signal);
        return plain('ok');
      },
      { limits: { concurrency: 8 } },
    );
    const done = volley.settle(Array.from({ length: 20 }, (_, i) => ({ prompt: `p${i}` })));
    await clock.advance(1000);
    await done;
    expect(volley.lanes()[0]?.concurrency).toBe(8);
  });
});

describe('limits learned without a limit header (Azure)', () => {
  it('infers the limit and the burst from remaining and reset', async () => {
    // A 600-a-minute bucket of one second: remaining R, reset T = 1000 × (1 − R / 600).
    let admitted = 0;
    const { clock, volley } = setup(async (_r, ctx) => {
      const remaining = Math.max(0, 600 - 60 * ++admitted);
      await sleep(clock, 100, ctx.signal);
      return plain('ok', {
        'x-ratelimit-remaining-requests': String(remaining),
        'x-ratelimit-reset-requests': `${1000 * (1 - remaining / 600)}ms`,
      });
    });
    const done = volley.settle(Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}` })));
    await clock.advance(1000);
    await done;
    expect(volley.lanes()[0]?.rpm).toBe(600);
  });
});

describe('an unreachable server', () => {
  const down = () => new ConnectionError('connect ECONNREFUSED 127.0.0.1:9');

  it('probes with one call at a time, with backoff; the waiting calls keep their attempts', async () => {
    const { clock, volley, starts, provider } = setup(
      async (_r, ctx) => {
        if (clock.now() < 10_000) throw down();
        await sleep(clock, 10, ctx.signal);
        return plain('ok');
      },
      { retry: { maxAttempts: 3, initialDelay: 100 } },
    );
    const done = volley.settle(Array.from({ length: 20 }, (_, i) => ({ prompt: `p${i}` })));
    await clock.advance(1000);
    expect(volley.lanes()[0]?.unreachableSince).toBe(0);
    expect(volley.lanes()[0]?.waitingFor).toBe('unreachable');
    await clock.advance(30_000);
    const results = await done;
    expect(results.every((r) => r.ok)).toBe(true); // none burnt its 3 attempts
    expect(volley.lanes()[0]?.unreachableSince).toBeUndefined();
    // Eight went at once; after that, one probe at a time: 250 ms, 500 ms, 1 s, ... apart.
    const probes = starts
      .slice(8)
      .map(([, at]) => at)
      .filter((at) => at < 10_000);
    expect(probes).toEqual([250, 750, 1750, 3750, 7750]);
    expect(provider.sent.length).toBe(8 + probes.length + 20);
  });

  it('fails the waiting calls with unreachable after maxOutage, saying what, how long and what to do', async () => {
    const { clock, volley } = setup(async () => Promise.reject(down()), { maxOutage: 60_000 });
    const done = volley.settle(Array.from({ length: 5 }, (_, i) => ({ prompt: `p${i}` })));
    await clock.advance(61_000);
    const results = await done;
    const errors = results.map((r) => (r.ok ? undefined : r.error));
    expect(errors.map((e) => e?.code)).toEqual(Array(5).fill('unreachable'));
    expect(errors[0]?.message).toMatch(/^Could not reach fake for 1m: every attempt failed to connect/);
    expect(errors[0]?.message).toMatch(/Check that the server is up .* then run again/);
  });

  it('ends the outage on any HTTP answer, even an error status', async () => {
    let calls = 0;
    const { clock, volley } = setup(async () => {
      calls++;
      if (calls <= 6) throw down();
      if (calls === 7) throw apiError('server_error', 503);
      return plain('ok');
    });
    const done = volley.settle(Array.from({ length: 10 }, (_, i) => ({ prompt: `p${i}` })));
    await clock.advance(5000);
    expect((await done).every((r) => r.ok)).toBe(true);
    expect(volley.lanes()[0]).toMatchObject({ unreachableSince: undefined, waitingFor: undefined });
  });
});
