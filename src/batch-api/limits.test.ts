import { describe, expect, it } from 'vitest';
import { openaiRemote } from './openai-remote.js';
import { ChunkPlanner } from './plan.js';
import { harness, prompts } from './test-support/harness.js';

const item = (model = 'm', bytes = 100, tokens = 10) => ({ model, bytes, tokens });

describe('cutting items into batches', () => {
  it('makes 3 OpenAI files of 120,001 lines: 50,000, 50,000 and 20,001', () => {
    const planner = new ChunkPlanner({ lines: 50_000, bytes: 190_000_000 }, () => undefined);
    const closed = [];
    for (let i = 0; i < 120_001; i++) {
      const full = planner.add(item());
      if (full) closed.push(full.length);
    }
    expect([...closed, ...planner.flush().map((c) => c.length)]).toEqual([50_000, 50_000, 20_001]);
  });

  it.each([
    ['bytes', { lines: 100, bytes: 250 }, (): number | undefined => undefined, [2, 2, 1]],
    ['enqueued tokens', { lines: 100, bytes: 10_000 }, (): number | undefined => 25, [2, 2, 1]],
  ])('closes a batch on its %s', (_, limits, tokenLimit, sizes) => {
    const planner = new ChunkPlanner(limits, tokenLimit);
    const closed: number[] = [];
    for (let i = 0; i < 5; i++) {
      const full = planner.add(item());
      if (full) closed.push(full.length);
    }
    expect([...closed, ...planner.flush().map((c) => c.length)]).toEqual(sizes);
  });

  it('keeps one model per batch', () => {
    const planner = new ChunkPlanner({ lines: 10, bytes: 10_000 }, () => undefined);
    for (const model of ['a', 'b', 'a', 'b', 'a']) expect(planner.add(item(model))).toBeUndefined();
    expect(planner.flush().map((c) => c.map((i) => i.model).join(''))).toEqual(['aaa', 'bb']);
  });
});

describe('the limits end to end', () => {
  it('rejects a line too large for a batch file, naming the line and the limit, and sends the rest', async () => {
    const h = await harness('openai', { batches: { timeScale: 100 } });
    const real = openaiRemote(
      await (h.provider as never as { sdkClient: () => Promise<never> }).sdkClient(),
      '/v1/chat/completions',
    );
    const remote = { ...real, limits: { lines: 100, bytes: 200 } };
    const lines = [...prompts(3), JSON.stringify({ custom_id: 'big', prompt: 'x'.repeat(300) })];
    const summary = await h.run(lines, h.executor({ remote }));
    const records = await h.records();
    expect(records.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'request_too_large']);
    expect(records[3]!.error!.message).toMatch(
      /^Line 4 is \d+ bytes as a batch line; an OpenAI batch holds at most 200 bytes/,
    );
    expect(summary.outcome).toBe('completed');
    expect(h.sim.stats().batches.linesAnswered).toBe(3);
  });

  it('lowers the enqueued-token limit when a batch fails with token_limit_exceeded, and answers every line', async () => {
    const h = await harness('openai', { batches: { timeScale: 100, enqueuedTokenLimit: 200 } });
    const executor = h.executor();
    const summary = await h.run(prompts(40), executor);
    expect(summary).toMatchObject({ outcome: 'completed', done: 40, anyItemFailed: false });
    const stats = h.sim.stats().batches;
    expect(stats).toMatchObject({ linesAnswered: 40 });
    expect(stats.batchesCreated).toBeGreaterThan(2);
    expect(h.sim.stats().duplicatePaid).toBe(0);
  });

  it('holds a batch back until the configured enqueued-token limit has room: no batch is refused', async () => {
    const h = await harness('openai', { batches: { timeScale: 100, enqueuedTokenLimit: 200 } });
    const summary = await h.run(prompts(40), h.executor({ enqueuedTokens: 190 }));
    expect(summary).toMatchObject({ outcome: 'completed', done: 40 });
    const created = h.calls.filter((c) => c === 'POST /v1/batches').length;
    expect(created).toBe(h.sim.stats().batches.batchesCreated);
    expect(created).toBeGreaterThan(1);
    expect(h.calls.filter((c) => c === 'POST /v1/files').length).toBe(created);
  });
});
