import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency.js';

describe('ConcurrencyLimit', () => {
  it('grows only while the cap is what holds calls back', () => {
    const limit = new ConcurrencyLimit({ initial: 4, max: 100, grow: true });
    limit.onAnswer();
    limit.onSuccess(100, 0);
    expect(limit.value).toBe(4);
    for (let i = 0; i < 4; i++) {
      limit.markSaturated(0, 0, 0);
      limit.onSuccess(100, i);
    }
    expect(limit.value).toBe(8); // slow start: doubled over one round of successes
  });

  it('goes to rate × latency plus the burst when the request budget is known', () => {
    const limit = new ConcurrencyLimit({ initial: 4, max: 1000, grow: true });
    // No answer yet: the latency is at least the time waited, and the cap grows with it, looked at
    // again every 10 ms.
    expect(limit.markSaturated(100 / 1000, 10, 0)).toBe(10);
    expect(limit.value).toBe(10);
    limit.markSaturated(100 / 1000, 10, 1000);
    expect(limit.value).toBe(160); // 100/s × 1 s × 1.5 + 10
    limit.onSuccess(4000, 4000);
    expect(limit.markSaturated(100 / 1000, 10, 4000)).toBeUndefined();
    expect(limit.value).toBe(610); // 100 per second at 4 s each: 400 in flight, plus margin and burst
    const capped = new ConcurrencyLimit({ initial: 4, max: 500, grow: true });
    capped.onSuccess(4000, 0);
    capped.markSaturated(100 / 1000, 10, 0);
    expect(capped.value).toBe(500);
    const fixed = new ConcurrencyLimit({ initial: 4, max: 4, grow: false });
    fixed.onSuccess(4000, 0);
    fixed.markSaturated(100 / 1000, 10, 0);
    expect(fixed.value).toBe(4);
  });

  it('grows a step every 10 ms while nothing has come back, and stops once the server answers', () => {
    const limit = new ConcurrencyLimit({ initial: 8, max: 100, grow: true });
    expect(limit.markSaturated(0, 0, 0)).toBe(10);
    expect(limit.value).toBe(8);
    expect(limit.markSaturated(0, 0, 9)).toBe(10); // not yet
    expect(limit.markSaturated(0, 0, 10)).toBe(20);
    expect(limit.value).toBe(9);
    // Per step taken, not per time elapsed: a late timer adds one step, not a flood.
    expect(limit.markSaturated(0, 0, 2000)).toBe(2010);
    expect(limit.value).toBe(10);
    for (let t = 2010; t <= 2200; t += 10) limit.markSaturated(0, 0, t);
    expect(limit.value).toBe(37); // +1 to 16, then a sixteenth per step: doubling about every 110 ms
    limit.onAnswer();
    expect(limit.markSaturated(0, 0, 2300)).toBeUndefined();
    expect(limit.value).toBe(37);
  });

  it('takes no probe step while the loop was busy since the last one: the calls let go are still being sent', () => {
    let load = 0.9; // a cold client compiling its SDK and HTTP code
    const limit = new ConcurrencyLimit({ initial: 8, max: 100, grow: true, loopMeter: () => load });
    limit.markSaturated(0, 0, 0);
    for (let t = 10; t <= 100; t += 10) expect(limit.markSaturated(0, 0, t)).toBe(t + 10); // still looking
    expect(limit.value).toBe(8);
    load = 0.1; // the calls are out: waiting on the server
    limit.markSaturated(0, 0, 110);
    limit.markSaturated(0, 0, 120);
    expect(limit.value).toBe(10);
  });

  it('halves on overload once per window, then grows additively', () => {
    const limit = new ConcurrencyLimit({ initial: 40, max: 100, grow: true });
    limit.onAnswer();
    limit.decrease(0.5, 1000, 500);
    limit.decrease(0.5, 1200, 500); // same burst: ignored
    expect(limit.value).toBe(20);
    for (let i = 0; i < 20; i++) {
      limit.markSaturated(0, 0, 0);
      limit.onSuccess(100, 2000 + i);
    }
    expect(limit.value).toBe(20); // +1/20 per success: about one step per round
    limit.markSaturated(0, 0, 0);
    limit.onSuccess(100, 3000);
    expect(limit.value).toBe(21);
  });

  it('backs off when latency climbs far above its baseline', () => {
    const limit = new ConcurrencyLimit({ initial: 10, max: 100, grow: true });
    for (let i = 0; i < 10; i++) limit.onSuccess(100, i);
    for (let i = 0; i < 10; i++) limit.onSuccess(1000, 100 + i * 2000);
    expect(limit.value).toBeLessThan(10);
  });

  it("takes a rise of tens of ms over a fast baseline for the client's own event loop, not overload", () => {
    const limit = new ConcurrencyLimit({ initial: 10, max: 100, grow: true });
    for (let i = 0; i < 10; i++) limit.onSuccess(1, i);
    for (let i = 0; i < 10; i++) limit.onSuccess(60, 100 + i * 100); // 60 times the baseline
    expect(limit.value).toBe(10);
    for (let i = 0; i < 10; i++) limit.onSuccess(400, 2000 + i * 1000);
    expect(limit.value).toBeLessThan(10);
  });

  it('pauses growth while latency is twice its floor and 25 ms above it, until the floor has risen to it', () => {
    const limit = new ConcurrencyLimit({ initial: 10, max: 100, grow: true });
    limit.onAnswer();
    const succeed = (latency: number, now: number) => {
      limit.markSaturated(0, 0, now);
      limit.onSuccess(latency, now);
    };
    succeed(10, 0); // the floor: 10 ms
    expect(limit.value).toBe(11);
    for (let i = 0; i < 10; i++) succeed(60, 100);
    // The average latency goes 20, 28, 34.4 (still growing), then 39.5 and on: paused.
    expect(limit.value).toBe(14);
    succeed(60, 60_100); // a minute on, the floor has doubled to 20: still paused
    expect(limit.value).toBe(14);
    // Two, 40: 60 ms is no longer twice the floor. Queueing ended slow start: +1/cap per success.
    for (let i = 0; i < 15; i++) succeed(60, 120_100);
    expect(limit.value).toBe(15);
  });

  it('leaves slow start once latency shows queueing: a dip afterwards grows the cap by one per round, not double', () => {
    const limit = new ConcurrencyLimit({ initial: 8, max: 1000, grow: true });
    limit.onAnswer();
    // A round: as many answers as the cap, each with calls held back behind it.
    const round = (latency: number, now: number) => {
      for (let i = 0, n = limit.value; i < n; i++) {
        limit.markSaturated(0, 0, now);
        limit.onSuccess(latency, now);
      }
    };
    round(5, 0);
    expect(limit.value).toBe(16); // slow start: doubled
    round(100, 10); // the average latency passes 2 × 5 ms and 5 + 25 ms: queueing
    const queued = limit.value;
    for (let t = 20_000; t < 20_040; t += 10) round(5, t); // latency back at the floor, four rounds
    expect(queued).toBe(17);
    expect(limit.value).toBe(20); // +1/cap per success: about one a round, where slow start went to 232
  });

  it('doubles per round trip in slow start, however many answers one look at the queue covers', () => {
    const limit = new ConcurrencyLimit({ initial: 8, max: 100, grow: true });
    limit.onAnswer();
    limit.markSaturated(0, 0, 0); // once, then eight answers before the next look
    for (let i = 0; i < 8; i++) limit.onSuccess(10, 10);
    expect(limit.value).toBe(16);
  });

  it("stops growing past 64 once answered while this process's event loop is busy, and resumes when it is not", () => {
    let load = 0.95;
    const limit = new ConcurrencyLimit({ initial: 8, max: 1000, grow: true, loopLoad: () => load });
    // Before any answer the loop's load is start-up work: the rate × latency jump still goes.
    limit.markSaturated(1, 0, 0);
    limit.markSaturated(1, 0, 100);
    expect(limit.value).toBe(150); // 1/ms × 100 ms waited × 1.5
    limit.onAnswer();
    limit.onSuccess(400, 400); // the latency of a client that cannot keep up
    limit.markSaturated(1, 0, 400);
    expect(limit.value).toBe(148); // not 1 × 400 × 1.5, and past 64 it shrinks: 150 × 0.99
    for (let i = 0; i < 20; i++) {
      limit.markSaturated(0, 0, 500);
      limit.onSuccess(400, 500);
    }
    expect(limit.value).toBe(Math.floor(150 * 0.99 ** 21)); // nor a step per success
    load = 0.5;
    limit.markSaturated(1, 0, 600);
    expect(limit.value).toBe(600);
  });

  it('brings a cap past 64 back down to 64 while the loop is busy, and no lower', () => {
    let load = 0;
    const limit = new ConcurrencyLimit({ initial: 4, max: 512, grow: true, loopLoad: () => load });
    // A tokens budget far above what this process can send: its burst never binds.
    limit.markSaturated(1, 1_000_000, 0);
    expect(limit.value).toBe(512);
    limit.onAnswer();
    load = 0.95;
    for (let i = 0; i < 206; i++) limit.onSuccess(2, i); // 512 × 0.99^206 is just above 64
    expect(limit.value).toBe(64);
    for (let i = 0; i < 100; i++) limit.onSuccess(2, 300 + i);
    expect(limit.value).toBe(64);
    limit.markSaturated(1, 1_000_000, 400); // still busy: no jump back
    expect(limit.value).toBe(64);
    load = 0.5; // idle again: the jump is back
    limit.markSaturated(1, 1_000_000, 500);
    expect(limit.value).toBe(512);
  });

  it('still grows to 64 with the loop busy: a few calls in flight lose more to dispatch than they save', () => {
    const limit = new ConcurrencyLimit({ initial: 8, max: 1000, grow: true, loopLoad: () => 1 });
    limit.onAnswer();
    for (let i = 0; i < 200; i++) {
      limit.markSaturated(0, 0, i);
      limit.onSuccess(1, i);
    }
    expect(limit.value).toBe(64);
    limit.markSaturated(1, 100, 300); // rate × latency plus a burst of 100 would be 101.5
    expect(limit.value).toBe(64);
  });

  it('keeps a configured cap fixed: it neither grows nor shrinks', () => {
    const limit = new ConcurrencyLimit({ initial: 3, max: 3, grow: false });
    for (let i = 0; i < 10; i++) {
      limit.markSaturated(0, 0, 0);
      limit.onSuccess(100, i);
    }
    expect(limit.value).toBe(3);
    for (let i = 0; i < 10; i++) limit.decrease(0.5, i * 1000, 1);
    for (let i = 0; i < 10; i++) limit.onSuccess(10_000, 20_000 + i);
    expect(limit.value).toBe(3);
  });

  it('never goes below one', () => {
    const limit = new ConcurrencyLimit({ initial: 3, max: 100, grow: true });
    for (let i = 0; i < 10; i++) limit.decrease(0.5, i * 1000, 1);
    expect(limit.value).toBe(1);
  });
});
