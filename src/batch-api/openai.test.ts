import { describe, expect, it } from 'vitest';
import { harness, prompts } from './test-support/harness.js';

const lineFaults = (rate: number, kind: 'server_error' | 'invalid_request', batches = [1]) => ({
  batches: { timeScale: 100, faults: { lines: [{ rate, kind, batches }] } },
});

describe('the batch-api executor on the OpenAI Batch API (simulator, manual clock)', () => {
  it('answers 1,200 lines with 2% failing inside the first batch exactly once, in input order', async () => {
    const h = await harness('openai', lineFaults(0.02, 'server_error'));
    const summary = await h.run(prompts(1200), h.executor());
    expect(summary).toMatchObject({ outcome: 'completed', done: 1200, anyItemFailed: false });
    const records = await h.records();
    expect(records.map((r) => r.custom_id)).toEqual(prompts(1200).map((l) => JSON.parse(l).custom_id));
    expect(records.every((r) => r.error === null && r.response?.status_code === 200)).toBe(true);
    const stats = h.sim.stats();
    const retried = records.filter((r) => r.attempts === 2).length;
    expect(retried).toBe(stats.batches.linesFailed);
    expect(retried).toBeGreaterThan(10);
    expect(stats).toMatchObject({
      duplicatePaid: 0,
      successes: 0,
      batches: { filesUploaded: 2, batchesCreated: 2, linesAnswered: 1200 },
    });
    // Priced at the batch tier: half of what realtime would have cost.
    const cost = records.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
    expect(summary.costUsd).toBeCloseTo(cost, 10);
    expect(cost).toBeGreaterThan(0);
  });

  it("keeps a 4xx nested in a line as that line's failure, and sends it no more", async () => {
    const h = await harness('openai', lineFaults(0.1, 'invalid_request'));
    const summary = await h.run(prompts(50), h.executor());
    const records = await h.records();
    const failed = records.filter((r) => r.error !== null);
    expect(failed.length).toBe(h.sim.stats().batches.linesFailed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]).toMatchObject({ error: { code: 'bad_request', status: 400 }, attempts: 1 });
    expect(summary).toMatchObject({ outcome: 'completed', anyItemFailed: true });
    expect(h.sim.stats().batches.batchesCreated).toBe(1);
  });

  it("reports a batch that failed validation with the input's line numbers, and sends the other lines again", async () => {
    const h = await harness('openai', {
      batches: { timeScale: 100, faults: { invalidLines: { lines: [3], batches: [1] } } },
    });
    // A blank line first: the input's line numbers are not the file's.
    const summary = await h.run(['', ...prompts(5)], h.executor());
    const records = await h.records();
    expect(records.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'batch_failed', 'ok', 'ok']);
    expect(records[2]!.error!.message).toMatch(
      /^Line 4 of the input \(line 3 of batch batch_\w+'s file\) failed validation/,
    );
    expect(summary.outcome).toBe('completed');
    expect(h.sim.stats().batches).toMatchObject({ batchesCreated: 2, linesAnswered: 4 });
  });
});
