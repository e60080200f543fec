import { describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { callsExecutor } from '../run/executors/calls.js';
import { autoExecutor } from './auto.js';
import { harness, prompts } from './test-support/harness.js';

const HOUR = 3_600_000;

describe('--mode auto: batches first, realtime for the rest once the deadline needs it', () => {
  it('meets a deadline shorter than the batch would take, paying for every line once', async () => {
    // One line a minute in the batch: 300 lines would take 5 hours; the deadline is 2.
    const h = await harness('openai', { batches: { msPerLine: 60_000 } });
    const volley = new Volley({ provider: h.provider, model: h.model, clock: h.clock, limits: { rpm: 60 } });
    const statuses: string[] = [];
    const executor = autoExecutor({
      batch: { provider: h.provider, model: h.model, pollMs: 60_000, random: () => 0.5 },
      realtime: callsExecutor(volley),
      finishBy: { afterMs: 2 * HOUR },
      pace: () => ({ rpm: 60 }),
    });
    const start = h.clock.now();
    const summary = await h.run(prompts(300), executor as never, {
      onStatus: (s) => statuses.push(s.detail ?? ''),
      noJournal: true,
    });
    const elapsed = h.clock.now() - start;
    expect(summary).toMatchObject({ outcome: 'completed', done: 300, anyItemFailed: false });
    const records = await h.records();
    expect(records.map((r) => r.custom_id)).toEqual(prompts(300).map((l) => JSON.parse(l).custom_id));
    const stats = h.sim.stats();
    const byBatch = stats.batches.linesAnswered;
    expect(stats.duplicatePaid).toBe(0);
    expect(byBatch).toBeGreaterThan(50);
    expect(stats.successes).toBe(300 - byBatch);
    expect(elapsed).toBeLessThan(2 * HOUR);
    expect(statuses.at(-1)).toMatch(
      new RegExp(
        `^batch ${byBatch} lines \\$[\\d.]+, realtime ${300 - byBatch} lines \\$[\\d.]+; realtime alone \\$[\\d.]+; switched to realtime after .*; deadline met`,
      ),
    );
  });
});
