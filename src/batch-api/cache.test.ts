/**
 * The response cache on the Batch API path (manual clock, in-process simulator): lines the cache
 * answers are never uploaded, answers a batch brings back are stored, and realtime calls and
 * batch lines share entries (one key for the same request).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../cache/store.js';
import { Volley } from '../client/volley.js';
import { settleOn } from '../test-support/manual-clock.js';
import { harness, prompts } from './test-support/harness.js';

const fast = { batches: { timeScale: 100 } };

async function cacheDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'volley-batch-cache-')), 'cache');
}

describe('the batch-api executor with a response cache', () => {
  it('uploads only the lines the cache does not answer, and stores what the batch answered', async () => {
    const dir = await cacheDir();
    const first = await harness('openai', fast);
    expect(await first.run(prompts(10), first.executor({ cache: new ResponseCache({ dir }) }))).toMatchObject(
      {
        outcome: 'completed',
        done: 10,
      },
    );
    expect(first.sim.stats().batches).toMatchObject({ batchesCreated: 1, linesAnswered: 10 });

    const edited = prompts(10);
    edited[2] = JSON.stringify({ custom_id: 'q3', prompt: 'question three, edited' });
    edited[7] = JSON.stringify({ custom_id: 'q8', prompt: 'question eight, edited' });
    const second = await harness('openai', fast);
    const summary = await second.run(edited, second.executor({ cache: new ResponseCache({ dir }) }));
    expect(summary).toMatchObject({ outcome: 'completed', done: 10, cached: 8 });
    expect(second.sim.stats().batches).toMatchObject({
      filesUploaded: 1,
      batchesCreated: 1,
      linesAnswered: 2,
    });
    const records = await second.records();
    expect(records.filter((r) => r.cached).map((r) => r.custom_id)).toEqual([
      'q1',
      'q2',
      'q4',
      'q5',
      'q6',
      'q7',
      'q9',
      'q10',
    ]);
    expect(records.filter((r) => r.cached).every((r) => r.cost_usd === 0 && r.attempts === 0)).toBe(true);

    // Everything answered once: a third run into a new output sends nothing at all.
    const third = await harness('openai', fast);
    expect(await third.run(edited, third.executor({ cache: new ResponseCache({ dir }) }))).toMatchObject({
      cached: 10,
    });
    expect(third.calls.filter((c) => c.startsWith('POST'))).toEqual([]);
  });

  it('shares entries with realtime calls: a line answered by the client is not uploaded', async () => {
    const dir = await cacheDir();
    const h = await harness('openai', fast);
    const volley = new Volley({ provider: h.provider, model: h.model, clock: h.clock, cache: dir });
    const requests = prompts(4).map((line) => ({ prompt: (JSON.parse(line) as { prompt: string }).prompt }));
    await settleOn(h.clock, volley.all(requests));
    const before = h.calls.length;
    const summary = await h.run(prompts(4), h.executor({ cache: new ResponseCache({ dir }) }));
    expect(summary).toMatchObject({ outcome: 'completed', cached: 4 });
    expect(h.calls.slice(before)).toEqual([]);
  });
});
