import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency.js';

describe('ConcurrencyLimit', () => {
  it('grows only while the cap is what holds calls back', () => {
    const limit = new ConcurrencyLimit({ initial: 4, max: 100, grow: true });
    limit.onSuccess(100, 0);
    expect(limit.value).toBe(4);
    for (let i = 0; i < 4; i++) {
      limit.markSaturated(0, 0);
      limit.onSuccess(100, i);
    }
    expect(limit.value).toBe(8); // slow start: doubled over one round of successes
  });

  it('jumps to rate × latency when the request budget is known', () => {
    const limit = new ConcurrencyLimit({ initial: 4, max: 1000, grow: true });
    limit.markSaturated(100 / 1000, 0); // no latency seen yet: nothing to go on
    expect(limit.value).toBe(4);
    limit.onSuccess(4000, 0);
    limit.markSaturated(100 / 1000, 0); // 100 per second at 4 s each: 400 in flight, plus margin
    expect(limit.value).toBe(600);
    const capped = new ConcurrencyLimit({ initial: 4, max: 500, grow: true });
    capped.onSuccess(4000, 0);
    capped.markSaturated(100 / 1000, 0);
    expect(capped.value).toBe(500);
    const fixed = new ConcurrencyLimit({ initial: 4, max: 4, grow: false });
    fixed.onSuccess(4000, 0);
    fixed.markSaturated(100 / 1000, 0);
    expect(fixed.value).toBe(4);
  });

  it('doubles every 500 ms while nothing has come back, and stops once the server answers', () => {
    const limit = new ConcurrencyLimit({ initial: 4, max: 100, grow: true });
    expect(limit.markSaturated(0, 0)).toBe(500);
    expect(limit.value).toBe(4);
    expect(limit.markSaturated(0, 500)).toBe(1000);
    expect(limit.value).toBe(8);
    limit.markSaturated(0, 1000);
    expect(limit.value).toBe(16);
    limit.onAnswer();
    expect(limit.markSaturated(0, 1500)).toBeUndefined();
    expect(limit.value).toBe(16);
  });

  it('halves on overload once per window, then grows additively', () => {
    const limit = new ConcurrencyLimit({ initial: 40, max: 100, grow: true });
    limit.decrease(0.5, 1000, 500);
    limit.decrease(0.5, 1200, 500); // same burst: ignored
    expect(limit.value).toBe(20);
    for (let i = 0; i < 20; i++) {
      limit.markSaturated(0, 0);
      limit.onSuccess(100, 2000 + i);
    }
    expect(limit.value).toBe(20); // +1/20 per success: about one step per round
    limit.markSaturated(0, 0);
    limit.onSuccess(100, 3000);
    expect(limit.value).toBe(21);
  });

  it('backs off when latency climbs far above its baseline', () => {
    const limit = new ConcurrencyLimit({ initial: 10, max: 100, grow: true });
    for (let i = 0; i < 10; i++) limit.onSuccess(100, i);
    for (let i = 0; i < 10; i++) limit.onSuccess(1000, 100 + i * 2000);
    expect(limit.value).toBeLessThan(10);
  });

  it('never grows past a configured cap, and never below one', () => {
    const limit = new ConcurrencyLimit({ initial: 3, max: 100, grow: false });
    for (let i = 0; i < 10; i++) {
      limit.markSaturated(0, 0);
      limit.onSuccess(100, i);
    }
    expect(limit.value).toBe(3);
    for (let i = 0; i < 10; i++) limit.decrease(0.5, i * 1000, 1);
    expect(limit.value).toBe(1);
  });
});
