import { describe, expect, it } from 'vitest';
import { APIError } from '../errors.js';
import { flow } from './flow.js';
import { jsonStreamedArticle, Outline, streamedArticle } from './test-support/article.js';
import { drive, fakeVolley } from './test-support/harness.js';

describe('streaming fan-out', () => {
  it('starts each section as soon as its outline line has arrived', async () => {
    const { clock, volley, latency: L } = fakeVolley();
    const run = await drive(clock, streamedArticle.run('tides', { volley }));
    expect(run.output.sections).toHaveLength(3);
    const calls = run.trace.calls();
    const starts = Object.fromEntries(calls.map((c) => [c.path, c.start]));
    // Lines arrive at L/3, 2L/3 and L (the last one ends the answer).
    expect(starts).toEqual({
      outline: 0,
      'sections[0]/expand': L / 3,
      'sections[1]/expand': (2 * L) / 3,
      'sections[2]/expand': L,
      intro: 2 * L,
    });
    expect(run.summary).toMatchObject({ calls: 5, roundTrips: 3, makespanMs: 3 * L, criticalPathMs: 3 * L });
  });

  it('beats three round trips when the outline goes on after its last item', async () => {
    const { clock, volley, latency: L } = fakeVolley({ trailer: 'These three cover it.' });
    const run = await drive(clock, streamedArticle.run('tides', { volley }));
    expect(run.output.sections).toHaveLength(3);
    // Items at L/4, L/2, 3L/4; the last section ends at 7L/4 and the intro at 11L/4.
    expect(run.summary).toMatchObject({
      calls: 5,
      roundTrips: 3,
      makespanMs: 2.75 * L,
      criticalPathMs: 2.75 * L,
    });
    const intro = run.trace.calls().find((c) => c.path === 'intro')!;
    expect(intro.start).toBe(1.75 * L);
  });

  it('streams the elements of a JSON array: under 3 L when the outline goes on after its sections', async () => {
    const json = [
      '{"sections": ["Moon",',
      ' "Sun",',
      ' "Wind"],',
      ' "audience": "sailors", "keywords": ["tide"],',
      ' "summary": "Why the sea moves."}',
    ];
    const {
      clock,
      volley,
      provider,
      latency: L,
    } = fakeVolley({
      reply: (prompt) => (prompt.startsWith('Outline') ? json.join('') : `answer to: ${prompt}`),
      pieces: () => [...json],
    });
    const run = await drive(clock, jsonStreamedArticle.run('tides', { volley }));
    expect(run.output.sections).toEqual([
      'answer to: Write the section "Moon" of an article about tides.',
      'answer to: Write the section "Sun" of an article about tides.',
      'answer to: Write the section "Wind" of an article about tides.',
    ]);
    expect(provider.sent[0]!.responseFormat?.type).toBe('json_schema');
    const starts = run.trace.calls().map((c) => c.start);
    // Elements complete at L/5, 2L/5 and 3L/5 (the array's closing bracket).
    expect(starts).toEqual([0, L / 5, (2 * L) / 5, (3 * L) / 5, (8 * L) / 5]);
    expect(run.summary).toMatchObject({ roundTrips: 3, makespanMs: 2.6 * L, criticalPathMs: 2.6 * L });
  });

  it('fails a JSON stream whose whole answer does not match its schema', async () => {
    const { clock, volley } = fakeVolley({ reply: () => '{"sections": ["a"]}' });
    const f = flow('bad-json', async (_: null, step) => {
      const items = step.stream('outline', 'Outline', { jsonArray: 'sections', schema: Outline });
      return step.map('each', items, async (x) => x);
    });
    await expect(drive(clock, f.run(null, { volley }))).rejects.toMatchObject({
      code: 'invalid_output',
      step: 'outline',
    });
  });

  it('does not repeat items when the scheduler retries a stream that broke halfway', async () => {
    let attempt = 0;
    const { clock, volley, provider } = fakeVolley({
      reply: (prompt) => {
        if (!prompt.startsWith('List')) return `answer to: ${prompt}`;
        attempt++;
        return '1. a\n2. b\n3. c';
      },
    });
    // The first attempt streams two lines and then fails with a retryable error.
    const send = provider.send.bind(provider);
    provider.send = async (request, context) => {
      if (context.onDelta && attempt === 0) {
        attempt++;
        context.onDelta('1. a\n2. b\n');
        throw new APIError('server_error', 'broke', { status: 500 });
      }
      return send(request, context);
    };
    const f = flow('retry', async (_: null, step) => {
      const list = step.stream('list', 'List 3 items');
      const got = await step.map('each', list, (x, s) => s.llm('ask', x));
      return { got, items: await list.items(), text: await list.text() };
    });
    const run = await drive(clock, f.run(null, { volley }));
    expect(run.output.got).toEqual(['answer to: a', 'answer to: b', 'answer to: c']);
    expect(run.output.items).toEqual(['a', 'b', 'c']);
    expect(run.output.text).toBe('1. a\n2. b\n3. c');
    expect(run.trace.calls().find((c) => c.path === 'list')?.attempts).toBe(2);
  });

  it('can be iterated directly, with a custom item parser', async () => {
    const { clock, volley } = fakeVolley({ reply: () => 'x=1\nnoise\nx=2' });
    const f = flow('iterate', async (_: null, step) => {
      const values: number[] = [];
      const numbers = step.stream('numbers', 'give', {
        item: (line) => (line.startsWith('x=') ? Number(line.slice(2)) : undefined),
      });
      for await (const n of numbers) values.push(n);
      return values;
    });
    const run = await drive(clock, f.run(null, { volley }));
    expect(run.output).toEqual([1, 2]);
  });

  it('fails the map with an error naming the stream when its call fails', async () => {
    const { clock, volley } = fakeVolley({
      reply: () => {
        throw new APIError('authentication', 'bad key', { status: 401 });
      },
    });
    const f = flow('broken', (_: null, step) =>
      step.map('each', step.stream('list', 'List 3 items'), async (x) => x),
    );
    await expect(drive(clock, f.run(null, { volley }))).rejects.toMatchObject({
      code: 'authentication',
      step: 'list',
      message: 'flow "broken", step "list": bad key',
    });
  });
});
