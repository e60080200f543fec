import { describe, expect, it } from 'vitest';
import type { ExecutorContext } from '../run/types.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { runDeadline } from './deadline.js';

const HOUR = 3_600_000;

/** An executor context whose journal is an array that outlives the invocation, as the run journal does. */
function invocation(clock: ManualClock, entries: unknown[]) {
  const noted: unknown[] = [];
  const context = {
    clock,
    journal: {
      entries: [...entries],
      async note(entry: unknown) {
        noted.push(entry);
        entries.push(entry);
      },
    },
  } as unknown as ExecutorContext;
  return { context, noted };
}

describe('auto mode: the run-wide deadline', () => {
  it('is journaled once, and a rerun hours later keeps the first start instead of restarting it', async () => {
    const clock = new ManualClock(1_750_000_000_000);
    const journal: unknown[] = [];
    const first = invocation(clock, journal);
    const start = clock.now();
    expect(await runDeadline(first.context, { afterMs: 8 * HOUR })).toEqual({
      started: start,
      deadline: start + 8 * HOUR,
    });
    expect(first.noted).toEqual([{ b: 'auto', started: start, deadline: start + 8 * HOUR }]);

    await clock.advance(3 * HOUR); // killed, then run again with the same command
    const second = invocation(clock, journal);
    expect(await runDeadline(second.context, { afterMs: 8 * HOUR })).toEqual({
      started: start,
      deadline: start + 8 * HOUR,
    });
    expect(second.noted).toEqual([]);
  });

  it('takes a clock time as given, and journals a new one when a rerun is given another', async () => {
    const clock = new ManualClock(1_750_000_000_000);
    const journal: unknown[] = [];
    const start = clock.now();
    await runDeadline(invocation(clock, journal).context, { at: start + HOUR });
    await clock.advance(HOUR / 2);
    const later = invocation(clock, journal);
    expect(await runDeadline(later.context, { at: start + 2 * HOUR })).toEqual({
      started: start,
      deadline: start + 2 * HOUR,
    });
    expect(later.noted).toEqual([{ b: 'auto', started: start, deadline: start + 2 * HOUR }]);
  });
});
