import { describe, expect, it } from 'vitest';
import type { BatchResult } from './batch.js';
import { flow } from './flow.js';
import { article } from './test-support/article.js';
import { drive, fakeVolley, lastUser } from './test-support/harness.js';

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const result of results) all.push(result);
  return all;
}

describe('flow.batch', () => {
  it('runs every input; one failing input does not stop the others', async () => {
    const { clock, volley } = fakeVolley();
    const picky = flow('picky', async (topic: string, step) => {
      if (topic === 'bad') throw new Error('no bad topics');
      return step.llm('say', topic);
    });
    const results = await drive(clock, collect(picky.batch(['a', 'bad', 'c'], { volley })));
    const byIndex = results.sort((x, y) => x.index - y.index);
    expect(byIndex.map((r) => r.ok)).toEqual([true, false, true]);
    expect(byIndex[0]).toMatchObject({ input: 'a', ok: true, output: 'answer to: a' });
    expect(byIndex[1]).toMatchObject({
      input: 'bad',
      ok: false,
      error: { code: 'unexpected', flow: 'picky' },
    });
    expect((byIndex[1] as Extract<BatchResult<string, string>, { ok: false }>).error.message).toBe(
      'flow "picky": no bad topics',
    );
  });

  it('pipelines: later steps of inputs under way go before first steps of new ones', async () => {
    const { clock, volley, provider } = fakeVolley({ concurrency: 2 });
    const results = await drive(clock, collect(article.batch(['a', 'b', 'c', 'd'], { volley })));
    expect(results.every((r) => r.ok)).toBe(true);
    const order = provider.sent.map((request) => {
      const prompt = lastUser(request);
      const kind = prompt.startsWith('Outline')
        ? 'outline'
        : prompt.startsWith('Write the')
          ? 'section'
          : 'intro';
      return `${kind}:${/about (\w)\b/.exec(prompt)?.[1]}`;
    });
    // All four outlines are queued at once, two slots, 120 ms a call: a and b start. When a call
    // ends, its caller queues the next step before the freed slot is given away, and later steps
    // (sections a quarter level up, intros half a level) go before new outlines: c's outline waits
    // until a slot frees with no later step of a or b queued. A quarter level is worth only 500 ms
    // of waiting (`STEP_PRIORITY`), so d's outline, queued 600 ms before, goes ahead of c's sections.
    expect(order.slice(0, 3)).toEqual(['outline:a', 'outline:b', 'section:a']);
    const beforeC = order.slice(0, order.indexOf('outline:c'));
    expect(beforeC.filter((o) => o.startsWith('section')).length).toBe(6);
    expect(beforeC).toContain('intro:a');
    const beforeD = order.slice(0, order.indexOf('outline:d'));
    expect(beforeD.filter((o) => o.startsWith('section')).length).toBe(6);
    expect(beforeD).toEqual(expect.arrayContaining(['intro:a', 'intro:b']));
    expect(order.indexOf('outline:d')).toBeLessThan(order.indexOf('section:c'));
    expect(order.indexOf('intro:a')).toBeLessThan(order.lastIndexOf('section:b'));
  });

  it('keeps at most `concurrency` inputs in flight and reads inputs lazily', async () => {
    const { clock, volley } = fakeVolley();
    let active = 0;
    let peak = 0;
    let pulled = 0;
    const counting = flow('counting', async (n: number, step) => {
      peak = Math.max(peak, ++active);
      const text = await step.llm('say', String(n));
      active--;
      return text;
    });
    function* inputs() {
      for (let i = 0; i < 20; i++) {
        pulled++;
        yield i;
      }
    }
    const batch = counting.batch(inputs(), { volley, inFlight: 4 });
    const first = await drive(clock, batch.next());
    expect(first.done).toBe(false);
    expect(pulled).toBeLessThanOrEqual(5);
    const rest = await drive(clock, collect({ [Symbol.asyncIterator]: () => batch }));
    expect(rest).toHaveLength(19);
    expect(peak).toBe(4);
  });

  it('stopping early cancels the inputs in flight', async () => {
    const { clock, volley, provider } = fakeVolley();
    const one = flow('one', (n: number, step) => step.llm('say', String(n)));
    const stopped = (async () => {
      for await (const result of one.batch([1, 2, 3, 4, 5, 6], { volley, inFlight: 3 })) {
        if (result.ok) break;
      }
    })();
    await drive(clock, stopped);
    expect(provider.sent.length).toBeLessThanOrEqual(4);
    expect(await volley.onIdle()).toBeUndefined();
  });
});
