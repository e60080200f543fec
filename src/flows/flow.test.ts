import { describe, expect, expectTypeOf, it } from 'vitest';
import { flow } from './flow.js';
import { article } from './test-support/article.js';
import { drive, fakeVolley } from './test-support/harness.js';

describe('flow.run', () => {
  it('runs the article chain in 3 round trips: 5 calls, makespan exactly 3 L', async () => {
    const { clock, provider, volley, latency: L } = fakeVolley();
    const run = await drive(clock, article.run('tides', { volley }));
    expectTypeOf(run.output).toEqualTypeOf<{ topic: string; intro: string; sections: string[] }>();
    expect(run.output.sections).toHaveLength(3);
    expect(run.output.sections[0]).toContain('Part 1');
    expect(provider.sent).toHaveLength(5);
    expect(provider.maxInFlight).toBe(3);
    expect(run.summary).toMatchObject({ calls: 5, roundTrips: 3, criticalPathMs: 3 * L, makespanMs: 3 * L });
    expect(run.summary.sequentialMs).toBe(5 * L);
    expect(run.summary.line).toBe('5 calls · 3 round trips · critical path 360 ms · makespan 360 ms');
  });

  it('gives later steps a higher priority: a quarter level per step of depth', async () => {
    const { clock, volley } = fakeVolley();
    const priorities: Record<string, number> = {};
    volley.on('queued', (e) => {
      priorities[e.id.replace(/^flow:article#\d+\//, '').replace(/#\d+$/, '')] = e.priority;
    });
    await drive(clock, article.run('tides', { volley }));
    expect(priorities).toEqual({
      outline: 0,
      'sections[0]/expand': 0.25,
      'sections[1]/expand': 0.25,
      'sections[2]/expand': 0.25,
      intro: 0.5,
    });
  });

  it('runs independent steps at once with plain Promise.all', async () => {
    const { clock, volley, latency: L } = fakeVolley();
    const pair = flow('pair', async (topic: string, step) => {
      const [a, b] = await Promise.all([step.llm('a', `about ${topic}`), step.llm('b', `against ${topic}`)]);
      return a.length + b.length;
    });
    const run = await drive(clock, pair.run('x', { volley }));
    expectTypeOf(run.output).toEqualTypeOf<number>();
    expect(run.summary).toMatchObject({ calls: 2, roundTrips: 1, makespanMs: L });
  });

  it('records a span tree with statuses, tokens and JSON', async () => {
    const { clock, volley } = fakeVolley();
    const run = await drive(clock, article.run('tides', { volley }));
    const spans = run.trace.spans;
    expect(spans[0]).toMatchObject({ kind: 'flow', name: 'article', path: '', status: 'ok' });
    const calls = spans.filter((s) => s.kind === 'call');
    expect(calls.map((c) => c.path)).toEqual([
      'outline',
      'sections[0]/expand',
      'sections[1]/expand',
      'sections[2]/expand',
      'intro',
    ]);
    for (const call of calls) {
      expect(call).toMatchObject({
        status: 'ok',
        attempts: 1,
        queuedMs: 0,
        tokens: { prompt: 10, completion: 5 },
      });
      expect(spans[call.parent!]!.kind).toBe('llm');
    }
    const item = spans.find((s) => s.path === 'sections[1]')!;
    expect(item).toMatchObject({ kind: 'item', status: 'ok' });
    expect(spans[item.parent!]).toMatchObject({ kind: 'map', path: 'sections' });
    const json = JSON.parse(JSON.stringify(run.trace));
    expect(json.flow).toBe('article');
    expect(json.spans).toHaveLength(spans.length);
  });

  it('finishes a map inside a map under one call at a time, and with map concurrency 1', async () => {
    const { clock, provider, volley, latency: L } = fakeVolley({ concurrency: 1 });
    const nested = flow('nested', async (n: number, step) =>
      step.map(
        'outer',
        [1, 2, 3].slice(0, n),
        (i, s) => s.map('inner', ['a', 'b'], (x, t) => t.llm('leaf', `${i}${x}`), { concurrency: 1 }),
        { concurrency: 1 },
      ),
    );
    const run = await drive(clock, nested.run(3, { volley }));
    expect(run.output).toEqual([
      ['answer to: 1a', 'answer to: 1b'],
      ['answer to: 2a', 'answer to: 2b'],
      ['answer to: 3a', 'answer to: 3b'],
    ]);
    expect(provider.maxInFlight).toBe(1);
    expect(run.summary).toMatchObject({ calls: 6, roundTrips: 6, makespanMs: 6 * L });
  });

  it('returns all/settle results in the shape of the branches', async () => {
    const { clock, volley } = fakeVolley();
    const shapes = flow('shapes', async (_: null, step) => {
      const tuple = await step.all('pair', [(s) => s.llm('x', 'one'), async () => 2]);
      const record = await step.all('named', { title: (s) => s.llm('t', 'title'), n: async () => 3 });
      return { tuple, record };
    });
    const run = await drive(clock, shapes.run(null, { volley }));
    expectTypeOf(run.output.tuple).toEqualTypeOf<[string, number]>();
    expectTypeOf(run.output.record).toEqualTypeOf<{ title: string; n: number }>();
    expect(run.output).toEqual({ tuple: ['answer to: one', 2], record: { title: 'answer to: title', n: 3 } });
  });
});
