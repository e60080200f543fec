import { describe, expect, it } from 'vitest';
import { harness, prompts } from './test-support/harness.js';

const faults = (more: object) => ({ batches: { timeScale: 100, faults: more } });

describe('the batch-api executor on Anthropic Message Batches (simulator, manual clock)', () => {
  it('answers every line once, in order, through a 404 on the first retrieve and overloaded lines', async () => {
    const h = await harness(
      'anthropic',
      faults({ notFoundOnFirstRetrieve: true, lines: [{ rate: 0.05, kind: 'overloaded', batches: [1] }] }),
    );
    const summary = await h.run(prompts(200), h.executor());
    expect(summary).toMatchObject({ outcome: 'completed', done: 200, anyItemFailed: false });
    const records = await h.records();
    expect(records.map((r) => r.custom_id)).toEqual(prompts(200).map((l) => JSON.parse(l).custom_id));
    expect(records[0]).toMatchObject({ response: { status_code: 200 }, model: h.model, error: null });
    expect(h.sim.stats()).toMatchObject({
      duplicatePaid: 0,
      batches: { batchesCreated: 2, linesAnswered: 200 },
    });
  });

  it("keeps an invalid_request_error as the line's failure, and sends expired lines again", async () => {
    const h = await harness(
      'anthropic',
      faults({ lines: [{ rate: 0.2, kind: 'invalid_request' }], stall: { afterLines: 10, batches: [1] } }),
    );
    const summary = await h.run(prompts(20), h.executor());
    const records = await h.records();
    const bad = records.filter((r) => r.error !== null);
    expect(bad.every((r) => r.error!.code === 'bad_request')).toBe(true);
    expect(bad.length).toBe(h.sim.stats().batches.linesFailed);
    expect(records.filter((r) => r.attempts === 2).length).toBeGreaterThan(0);
    expect(summary).toMatchObject({ outcome: 'completed', done: 20 });
    expect(h.sim.stats().duplicatePaid).toBe(0);
  });

  it('finds the batch a killed run created before its journal said so', async () => {
    const h = await harness('anthropic', faults({}));
    const hard = new AbortController();
    void h.killAfter(/^POST \/v1\/messages\/batches$/).then(() => hard.abort());
    await h.run(prompts(12), h.executor(), { hardSignal: hard.signal });
    const second = await h.run(prompts(12), h.executor());
    expect(second).toMatchObject({ outcome: 'completed', done: 12 });
    expect(h.sim.stats()).toMatchObject({
      duplicatePaid: 0,
      batches: { batchesCreated: 1, linesAnswered: 12 },
    });
  });
});
