import { describe, expect, it } from 'vitest';
import { harness, prompts } from './test-support/harness.js';

const fast = { batches: { timeScale: 100 } };

describe('a killed batch-api run, rerun: one upload and one create in all', () => {
  it.each([
    ['right after the upload, before the journal has the file', /^POST \/v1\/files$/],
    ['right after the create, before the journal has the batch', /^POST \/v1\/batches$/],
    ['while polling', /^GET \/v1\/batches\/batch_/],
  ])('killed %s', async (_, pattern) => {
    const h = await harness('openai', fast);
    const hard = new AbortController();
    void h.killAfter(pattern).then(() => hard.abort());
    const first = await h.run(prompts(30), h.executor(), { hardSignal: hard.signal });
    expect(first.outcome).toBe('interrupted');
    const second = await h.run(prompts(30), h.executor());
    expect(second).toMatchObject({ outcome: 'completed', done: 30, invocation: 2 });
    expect((await h.records()).map((r) => r.custom_id)).toEqual(
      prompts(30).map((l) => JSON.parse(l).custom_id),
    );
    expect(h.sim.stats()).toMatchObject({
      duplicatePaid: 0,
      batches: { filesUploaded: 1, batchesCreated: 1, linesAnswered: 30 },
    });
  });

  it('takes the answers of a batch that ended while no run was looking, without sending anything', async () => {
    const h = await harness('openai', fast);
    const hard = new AbortController();
    void h.killAfter(/^POST \/v1\/batches$/).then(() => hard.abort());
    await h.run(prompts(10), h.executor(), { hardSignal: hard.signal });
    await h.clock.advance(3_600_000);
    const before = h.calls.length;
    const second = await h.run(prompts(10), h.executor());
    expect(second.outcome).toBe('completed');
    expect(h.calls.slice(before).filter((c) => c.startsWith('POST'))).toEqual([]);
  });

  it('sends a line edited since the kill in a new batch, and takes the rest from the old one', async () => {
    const h = await harness('openai', fast);
    const hard = new AbortController();
    void h.killAfter(/^GET \/v1\/batches\/batch_/).then(() => hard.abort());
    await h.run(prompts(10), h.executor(), { hardSignal: hard.signal });
    const edited = prompts(10);
    edited[4] = JSON.stringify({ custom_id: 'q5', prompt: 'question five, edited' });
    const second = await h.run(edited, h.executor());
    expect(second).toMatchObject({ outcome: 'completed', done: 10 });
    expect(h.sim.stats().batches).toMatchObject({ batchesCreated: 2, linesAnswered: 11 });
  });
});
