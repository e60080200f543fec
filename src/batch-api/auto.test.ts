import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    // The journal holds the run's deadline, for a rerun to keep.
    const journal = await readFile(join(h.dir, 'out.journal.jsonl'), 'utf8');
    const [, started, deadline] = /"b":"auto","started":(\d+),"deadline":(\d+)/.exec(journal) ?? [];
    expect(Number(deadline) - Number(started)).toBe(2 * HOUR);
    expect(statuses.at(-1)).toMatch(
      new RegExp(
        `^batch ${byBatch} lines \\$[\\d.]+, realtime ${300 - byBatch} lines \\$[\\d.]+; realtime alone \\$[\\d.]+; switched to realtime after .*; deadline met`,
      ),
    );
  });

  it('a rerun after a kill keeps the first deadline: it switches by it, not two hours after the rerun', async () => {
    const h = await harness('openai', { batches: { msPerLine: 60_000 } });
    const auto = () => {
      const volley = new Volley({
        provider: h.provider,
        model: h.model,
        clock: h.clock,
        limits: { rpm: 60 },
      });
      return autoExecutor({
        batch: { provider: h.provider, model: h.model, pollMs: 60_000, random: () => 0.5 },
        realtime: callsExecutor(volley),
        finishBy: { afterMs: 2 * HOUR },
        pace: () => ({ rpm: 60 }),
      });
    };
    const start = h.clock.now();
    const kill = new AbortController();
    h.clock.setTimer(() => kill.abort(), HOUR); // before the switch, which is due after 1 h 42 m
    const first = await h.run(prompts(300), auto() as never, { hardSignal: kill.signal });
    expect(first.outcome).toBe('interrupted');
    expect(h.sim.stats().batches).toMatchObject({ batchesCreated: 1, linesAnswered: 0 });

    const second = await h.run(prompts(300), auto() as never);
    expect(second).toMatchObject({ outcome: 'completed', done: 300, anyItemFailed: false });
    // Had the rerun started the clock again, it would have waited for the batch until 2 h 42 m.
    expect(h.clock.now() - start).toBeLessThan(2 * HOUR);
    const stats = h.sim.stats();
    expect(stats.batches.batchesCreated).toBe(1);
    expect(stats.duplicatePaid).toBe(0);
    expect(stats.batches.linesAnswered + stats.successes).toBe(300);
    expect((await h.records()).map((r) => r.custom_id)).toEqual(
      prompts(300).map((l) => JSON.parse(l).custom_id),
    );
  });

  it('with no rpm given, sends the first line realtime and paces the switch by the limit its headers state', async () => {
    const h = await harness('openai', { rpm: 60, batches: { msPerLine: 60_000 } });
    const volley = new Volley({ provider: h.provider, model: h.model, clock: h.clock });
    const phases: string[] = [];
    const executor = autoExecutor({
      batch: { provider: h.provider, model: h.model, pollMs: 60_000, random: () => 0.5 },
      realtime: callsExecutor(volley),
      finishBy: { afterMs: 2 * HOUR },
      pace: () => ({ rpm: volley.lanes()[0]?.rpm, tpm: undefined }),
    });
    const start = h.clock.now();
    const summary = await h.run(prompts(300), executor as never, { onStatus: (s) => phases.push(s.phase) });
    expect(summary).toMatchObject({ outcome: 'completed', done: 300 });
    expect(phases[0]).toBe('probe');
    expect(volley.lanes()[0]?.rpm).toBe(60);
    const stats = h.sim.stats();
    expect(stats.duplicatePaid).toBe(0);
    expect(stats.batches.linesAnswered).toBeGreaterThan(50);
    expect(stats.batches.linesAnswered + stats.successes).toBe(300);
    expect(h.clock.now() - start).toBeLessThan(2 * HOUR);
  });
});
