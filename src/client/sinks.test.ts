import { describe, expect, it } from 'vitest';
import { sleep } from '../clock.js';
import type { VolleyError } from '../errors.js';
import { answer, apiError, fakeProvider } from '../test-support/fake-provider.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { Volley } from './volley.js';

function setup(concurrency = 2) {
  const clock = new ManualClock();
  const aborted: string[] = [];
  const provider = fakeProvider(async (request, ctx) => {
    const text = String(request.messages[0]?.content);
    if (text === 'bad') {
      await sleep(clock, 50);
      throw apiError('bad_request', 400);
    }
    try {
      await sleep(clock, 100, ctx.signal);
    } catch (error) {
      aborted.push(text);
      throw error;
    }
    return answer(text);
  });
  const volley = new Volley({ provider, clock, random: () => 0.5, limits: { concurrency } });
  return { clock, provider, volley, aborted };
}

describe('all() and settle() over one promise per batch', () => {
  it('all() rejects with the first failure once the calls it cancelled have settled', async () => {
    const { clock, provider, volley, aborted } = setup(2);
    let rejectedAt: number | undefined;
    const failing = volley
      .all([{ prompt: 'a' }, { prompt: 'bad' }, { prompt: 'c' }, { prompt: 'd' }])
      .catch((error: VolleyError) => {
        rejectedAt = clock.now();
        return error;
      });
    await clock.advance(1000);
    expect(await failing).toMatchObject({ code: 'bad_request' });
    // 'a' was in flight beside 'bad' and is aborted at 50 ms; 'c' and 'd' never leave the queue.
    expect(rejectedAt).toBe(50);
    expect(aborted).toEqual(['a']);
    expect(provider.sent.map((r) => r.messages[0]?.content)).toEqual(['a', 'bad']);
    expect(volley.lanes()[0]).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it('all() resolves in input order, with ids from the batch id', async () => {
    const { clock, volley } = setup(2);
    const done = volley.all([{ prompt: 'x' }, { prompt: 'y' }, { prompt: 'z' }], { id: 'job' });
    await clock.advance(1000);
    const results = await done;
    expect(results.map((r) => [r.id, r.text, r.timings.finishedAt])).toEqual([
      ['job-0', 'x', 100],
      ['job-1', 'y', 100],
      ['job-2', 'z', 200],
    ]);
  });

  it('an invalid request fails the batch at once and nothing is sent', async () => {
    const { clock, provider, volley } = setup(2);
    const failing = volley.all([{ prompt: 'a' }, { prompt: '' }]).catch((error: VolleyError) => error);
    await clock.advance(0);
    expect(await failing).toMatchObject({ code: 'invalid_request' });
    expect(provider.sent).toHaveLength(0);
  });

  it('settle() gives every slot its own outcome, an invalid request included', async () => {
    const { clock, volley } = setup(4);
    const done = volley.settle([{ prompt: 'a' }, { prompt: '' }, { prompt: 'bad' }, { prompt: 'd' }]);
    await clock.advance(1000);
    expect((await done).map((r) => (r.ok ? r.value.text : r.error.code))).toEqual([
      'a',
      'invalid_request',
      'bad_request',
      'd',
    ]);
  });

  it('resolves an empty batch at once', async () => {
    const { volley } = setup();
    expect(await volley.all([])).toEqual([]);
    expect(await volley.settle([])).toEqual([]);
  });

  it("a caller's signal still cancels every call of all()", async () => {
    const { clock, volley, aborted } = setup(1);
    const controller = new AbortController();
    const failing = volley
      .all([{ prompt: 'a' }, { prompt: 'b' }], { signal: controller.signal })
      .catch((error: VolleyError) => error);
    await clock.advance(10);
    controller.abort();
    await clock.advance(0);
    expect(await failing).toMatchObject({ code: 'aborted' });
    expect(aborted).toEqual(['a']);
  });
});
