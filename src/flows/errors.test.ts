import { describe, expect, it } from 'vitest';
import { VolleyError } from '../errors.js';
import { FlowStepError } from './errors.js';
import { flow } from './flow.js';
import { drive, fakeVolley } from './test-support/harness.js';

async function failure(promise: Promise<unknown>): Promise<FlowStepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowStepError);
  expect(error).toBeInstanceOf(VolleyError);
  return error as FlowStepError;
}

describe('bad input fails the run with an error naming the step', () => {
  it('a step name used twice at the same position', async () => {
    const { clock, volley, provider } = fakeVolley();
    const twice = flow('twice', async (_: null, step) => {
      await step.llm('ask', 'one');
      return step.llm('ask', 'two');
    });
    const error = await failure(drive(clock, twice.run(null, { volley })));
    expect(error).toMatchObject({ code: 'invalid_request', flow: 'twice', step: 'ask' });
    expect(error.message).toMatch(/^flow "twice", step "ask": this step name is already used/);
    expect(provider.sent).toHaveLength(1);
  });

  it('the same name in different items of a map is fine', async () => {
    const { clock, volley } = fakeVolley();
    const each = flow('each', (_: null, step) => step.map('items', ['a', 'b'], (x, s) => s.llm('ask', x)));
    const run = await drive(clock, each.run(null, { volley }));
    expect(run.output).toEqual(['answer to: a', 'answer to: b']);
  });

  it('a map over something that is not iterable', async () => {
    const { clock, volley } = fakeVolley();
    const bad = flow('bad-map', async (_: null, step) =>
      step.map('sections', 42 as unknown as number[], async (x) => x),
    );
    const error = await failure(drive(clock, bad.run(null, { volley })));
    expect(error).toMatchObject({ code: 'invalid_request', step: 'sections' });
    expect(error.message).toContain(
      'map needs an array, an iterable or an async iterable of items, got number',
    );
    const text = flow('text-map', async (_: null, step) =>
      step.map('chars', 'abc' as unknown as string[], async (x) => x),
    );
    expect((await failure(drive(clock, text.run(null, { volley })))).message).toContain('got a string');
  });

  it('an error in user code names the map item it happened in', async () => {
    const { clock, volley } = fakeVolley();
    const throwing = flow('throwing', (_: null, step) =>
      step.map('items', [1, 2], async (n) => {
        if (n === 2) throw new Error('no twos');
        return n;
      }),
    );
    const error = await failure(drive(clock, throwing.run(null, { volley })));
    expect(error).toMatchObject({ code: 'unexpected', step: 'items[1]' });
    expect(error.message).toBe('flow "throwing", step "items[1]": no twos');
    expect(error.trace).toBeDefined();
  });

  it('a failed call keeps its code and names its step', async () => {
    const { clock, volley } = fakeVolley({
      reply: (prompt) => {
        if (prompt === 'b') throw new VolleyError('content_filtered', 'refused');
        return 'ok';
      },
    });
    const f = flow('calls', (_: null, step) => step.map('items', ['a', 'b'], (x, s) => s.llm('ask', x)));
    const error = await failure(drive(clock, f.run(null, { volley })));
    expect(error).toMatchObject({ code: 'content_filtered', step: 'items[1]/ask', attempts: 1 });
    expect(error.message).toBe('flow "calls", step "items[1]/ask": refused');
  });
});

describe('every item ends as ok, error or cancelled', () => {
  it('map fails fast: the failing item errors and the items in flight are cancelled', async () => {
    const { clock, volley, provider } = fakeVolley({
      reply: (prompt) => {
        if (prompt === 'bad') throw new VolleyError('bad_request', 'nope');
        return 'fine';
      },
    });
    const f = flow('fast', (_: null, step) =>
      step.map('items', ['slow', 'bad', 'slow too'], (x, s) => s.llm('ask', x)),
    );
    const error = await failure(drive(clock, f.run(null, { volley })));
    expect(error.step).toBe('items[1]/ask');
    const items = error.trace as { spans: { kind: string; path: string; status: string }[] };
    const statuses = Object.fromEntries(
      items.spans.filter((s) => s.kind === 'item').map((s) => [s.path, s.status]),
    );
    // All three were sent at once; the bad one fails at once and the others are cancelled in flight.
    expect(provider.sent).toHaveLength(3);
    expect(statuses).toEqual({ 'items[0]': 'cancelled', 'items[1]': 'error', 'items[2]': 'cancelled' });
    expect(clock.now()).toBeLessThan(120);
  });

  it('map with concurrency 1 does not start the items after a failure', async () => {
    const { clock, volley, provider } = fakeVolley({
      reply: (prompt) => {
        if (prompt === '1') throw new VolleyError('bad_request', 'nope');
        return 'fine';
      },
    });
    const f = flow('serial', (_: null, step) =>
      step.mapSettled('items', ['0', '1', '2'], (x, s) => s.llm('ask', x), { concurrency: 1 }),
    );
    const run = await drive(clock, f.run(null, { volley }));
    expect(run.output.map((o) => o.status)).toEqual(['ok', 'error', 'ok']);
    expect(provider.sent).toHaveLength(3);

    const g = flow('serial-fast', (_: null, step) =>
      step.map('items', ['0', '1', '2', '3'], (x, s) => s.llm('ask', x), { concurrency: 1 }),
    );
    provider.sent.length = 0;
    const error = await failure(drive(clock, g.run(null, { volley })));
    expect(error.step).toBe('items[1]/ask');
    expect(provider.sent).toHaveLength(2);
  });

  it('all cancels the other branches when one fails; settle lets them finish', async () => {
    const { clock, volley, provider } = fakeVolley({
      reply: (prompt) => {
        if (prompt === 'bad') throw new VolleyError('bad_request', 'nope');
        return 'fine';
      },
    });
    const f = flow('branches', async (_: null, step) => {
      const settled = await step.settle('s', [(s) => s.llm('x', 'good'), (s) => s.llm('x', 'bad')]);
      const failed = await step
        .all('a', {
          quick: async () => {
            throw new Error('boom');
          },
          slow: (s) => s.llm('x', 'good'),
        })
        .catch((e: FlowStepError) => e);
      return { settled, failed };
    });
    const run = await drive(clock, f.run(null, { volley }));
    expect(run.output.settled[0]).toEqual({ status: 'ok', value: 'fine' });
    expect(run.output.settled[1]).toMatchObject({ status: 'error', error: { code: 'bad_request' } });
    expect(run.output.failed).toMatchObject({ code: 'unexpected', step: 'a[quick]' });
    const slow = run.trace.spans.find((s) => s.path === 'a[slow]');
    expect(slow?.status).toBe('cancelled');
    // The slow branch was cancelled while still queued: it was never sent.
    expect(provider.sent).toHaveLength(2);
  });

  it('aborting a run cancels its calls and every item ends as cancelled', async () => {
    const { clock, volley } = fakeVolley();
    const controller = new AbortController();
    const f = flow('aborted', (_: null, step) =>
      step.mapSettled('items', ['a', 'b', 'c'], (x, s) => s.llm('ask', x)),
    );
    const running = f.run(null, { volley, signal: controller.signal });
    await clock.advance(10);
    controller.abort();
    const error = await failure(drive(clock, running));
    expect(error.code).toBe('aborted');
    expect(clock.now()).toBeLessThan(120);
    const trace = error.trace as { spans: { kind: string; status: string }[] };
    expect(trace.spans.filter((s) => s.kind === 'item').map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(trace.spans.filter((s) => s.kind === 'call').map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });
});
