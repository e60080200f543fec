import { describe, expect, it } from 'vitest';
import { IdSet, KeyMap } from './keys.js';

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

describe('key map', () => {
  it('maps numbered and other keys to their slots, -1 for an unknown key', () => {
    const keys = new KeyMap();
    const all = ['line-1', 'line-1000', 'req-007', 'req-7', 'x', '@12', 'big-99999999999'];
    for (const [slot, key] of all.entries()) keys.set(key, slot);
    expect(
      ['line-1', 'line-1000', 'req-007', 'req-7', 'x', '@12', 'big-99999999999'].map((k) => keys.get(k)),
    ).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(keys.get('line-2')).toBe(-1);
    expect(keys.get('line-99999')).toBe(-1);
    expect(keys.get('y')).toBe(-1);
    keys.set('line-1', 9);
    expect(keys.get('line-1')).toBe(9);
  });

  it('holds a million line keys in about four megabytes', () => {
    const keys = new KeyMap();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 1; i <= 1_000_000; i++) keys.set(`line-${i}`, i - 1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(6 * 1024 * 1024);
    expect(keys.get('line-777777')).toBe(777_776);
  });
});
