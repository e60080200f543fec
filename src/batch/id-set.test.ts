import { describe, expect, it } from 'vitest';
import { IdSet } from './id-set.js';

describe('id set', () => {
  it('keeps numbered and other ids apart without confusing them', () => {
    const ids = new IdSet();
    for (const id of ['line-1', 'line-10', 'req-007', 'req-7', 'x', '42', 'a-0', 'a-00', 'big-99999999999']) {
      expect(ids.add(id)).toBe(true);
    }
    expect(ids.add('line-1')).toBe(false);
    expect(ids.add('req-007')).toBe(false);
    expect(ids.add('big-99999999999')).toBe(false);
    expect(ids.has('line-2')).toBe(false);
    expect(ids.has('line-10')).toBe(true);
    expect(ids.has('req-07')).toBe(false);
    expect(ids.has('4')).toBe(false);
    expect(ids.size).toBe(9);
  });

  it('holds a million numbered ids in well under a megabyte', () => {
    const ids = new IdSet();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 1; i <= 1_000_000; i++) ids.add(`line-${i}`);
    expect(ids.size).toBe(1_000_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    expect(ids.has('line-999999')).toBe(true);
  });
});
