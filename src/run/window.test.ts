import { describe, expect, it } from 'vitest';
import { contentHash } from '../records/hash.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { runEngine } from './engine.js';
import type { Executor, ItemReader, Outcome, WorkItem } from './types.js';
import { readAhead, WINDOW_MARGIN_MIN } from './window.js';

describe('readAhead', () => {
  it.each([
    // capacity, ceiling, window
    [0, 1024, 1 + WINDOW_MARGIN_MIN], // no lane yet: a first handful
    [8, 1024, 8 + WINDOW_MARGIN_MIN],
    [64, 1024, 64 + WINDOW_MARGIN_MIN],
    [400, 1024, 600],
    [512, 1024, 768],
    [512, 600, 600], // never past the engine's own window
    [2.5, 1024, 2 + WINDOW_MARGIN_MIN],
  ])('capacity %d within %d hands over %d', (capacity, ceiling, window) => {
    expect(readAhead(capacity, ceiling)).toBe(window);
  });
});

const reader: ItemReader<string> = {
  read: (entry) => ({ key: String(entry), hash: contentHash(String(entry)), payload: String(entry) }),
  reject: () => {
    throw new Error('no line is bad here');
  },
};

/**
 * Takes every item the engine hands over until it hands over no more (the next one is not there
 * by the next turn of the event loop), notes how many it held, then answers them all at once.
 * `capacity` is what it says it can have under way, asked by the engine whenever it likes.
 */
function holdingExecutor(capacity: (() => number) | undefined) {
  const held: number[] = [];
  const executor: Executor<string> = {
    name: 'holding',
    tier: 'realtime',
    async *run(items) {
      const iterator = items[Symbol.asyncIterator]();
      let taken: WorkItem<string>[] = [];
      let next = iterator.next();
      for (;;) {
        const turn = new Promise<'blocked'>((resolve) => setImmediate(() => resolve('blocked')));
        const result = await Promise.race([next, turn]);
        if (result === 'blocked' || result.done) {
          if (taken.length > 0) held.push(taken.length);
          const answers: Outcome<string>[] = taken.map((item) => ({
            item,
            record: {
              custom_id: item.key,
              line: item.line,
              error: null,
              model: 'm',
              attempts: 1,
              latency_ms: 0,
              queued_ms: 0,
              usage: null,
              cost_usd: null,
            },
          }));
          taken = [];
          yield* answers;
          if (result !== 'blocked') return;
          continue;
        }
        taken.push(result.value);
        next = iterator.next();
      }
    },
    stop: () => {},
    ...(capacity && { capacity }),
  };
  return { executor, held };
}

const lines = Array.from({ length: 200 }, (_, i) => `line-${i + 1}`);
const run = (executor: Executor<string>, inFlight: number) =>
  runEngine({
    source: lines,
    reader,
    executor,
    clock: new ManualClock(),
    pricing: { cost: () => 0 },
    inFlight,
  });

describe('the window follows the executor capacity', () => {
  it('hands over the capacity and a margin, not the whole inFlight window', async () => {
    const { executor, held } = holdingExecutor(() => 8);
    const summary = await run(executor, 1024);
    expect(summary).toMatchObject({ outcome: 'completed', counts: { ok: 200 } });
    expect(held[0]).toBe(readAhead(8, 1024));
    expect(Math.max(...held)).toBe(readAhead(8, 1024));
  });

  it('follows a capacity that grows (an adaptive cap), asked again once the window is full', async () => {
    // The cap is 8 until the first window has been taken, then grows, as a lane's does with its answers.
    const { executor, held } = holdingExecutor(() => (held.length === 0 ? 8 : 100));
    expect(await run(executor, 1024)).toMatchObject({ outcome: 'completed', counts: { ok: 200 } });
    expect(held.slice(0, 2)).toEqual([readAhead(8, 1024), readAhead(100, 1024)]);
  });

  it('without a capacity, inFlight alone bounds it', async () => {
    const { executor, held } = holdingExecutor(undefined);
    expect(await run(executor, 64)).toMatchObject({ outcome: 'completed', counts: { ok: 200 } });
    expect(Math.max(...held)).toBe(64);
  });
});
