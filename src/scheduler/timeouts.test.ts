import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-clock.js';
import { Job } from './job.js';
import { Timeouts } from './timeouts.js';

class TestJob extends Job {
  constructor(id: string) {
    const request = { model: 'm', messages: [{ role: 'user' as const, content: id }], params: {} };
    super({ id, request, priority: 0, seq: 0, enqueuedAt: 0, timeout: 0, deadlineAt: 0, onDelta: undefined });
  }
  resolve(): void {}
  reject(): void {}
}

function setup() {
  const clock = new ManualClock();
  const expired: string[] = [];
  const timeouts = new Timeouts(
    clock,
    (job) => expired.push(`${job.id}@${clock.now()}`),
    (job, token) => job.state !== 'done' && job.attempts === token,
  );
  return { clock, expired, timeouts };
}

describe('Timeouts: many expiry times on one timer', () => {
  it('arms one timer for a thousand entries and expires each live one at its time', async () => {
    const { clock, expired, timeouts } = setup();
    const jobs = Array.from({ length: 1000 }, (_, i) => new TestJob(`j${i}`));
    for (const [i, job] of jobs.entries()) {
      timeouts.add(job, 100, 0, clock.now());
      if (i % 2 === 1) job.state = 'done'; // settled before its time: dropped unfired
      await clock.advance(1);
    }
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(200);
    expect(expired).toHaveLength(500);
    expect(expired.slice(0, 3)).toEqual(['j0@100', 'j2@102', 'j4@104']);
    expect(expired.at(-1)).toBe('j998@1098');
    expect(clock.pendingTimers).toBe(0);
  });

  it('expires across durations in time order, and skips an entry for an earlier attempt', async () => {
    const { clock, expired, timeouts } = setup();
    const [slow, fast, retried] = [new TestJob('slow'), new TestJob('fast'), new TestJob('retried')];
    timeouts.add(slow, 300, 0, 0);
    timeouts.add(fast, 50, 0, 0);
    timeouts.add(retried, 100, 0, 0);
    await clock.advance(20);
    retried.attempts = 1; // its first attempt ended and a second began: a new entry times it
    timeouts.add(retried, 100, 1, clock.now());
    await clock.advance(500);
    expect(expired).toEqual(['fast@50', 'retried@120', 'slow@300']);
  });

  it('clear() forgets every entry and leaves no timer to keep a process alive', async () => {
    const { clock, expired, timeouts } = setup();
    timeouts.add(new TestJob('a'), 100, 0, 0);
    expect(clock.pendingTimers).toBe(1);
    timeouts.clear();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(200);
    expect(expired).toEqual([]);
  });
});
