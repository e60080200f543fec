import { describe, expect, it } from 'vitest';
import { PagedArray } from './paged.js';

describe('paged array', () => {
  it('reads 0 where nothing was written and keeps values across page edges', () => {
    const array = new PagedArray((n) => new Uint32Array(n), 2);
    expect(array.get(0)).toBe(0);
    for (let i = 0; i < 10; i++) array.set(i, i * 3);
    expect(Array.from({ length: 11 }, (_, i) => array.get(i))).toEqual([
      0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 0,
    ]);
  });

  it('sets and clears bits in place', () => {
    const flags = new PagedArray((n) => new Uint8Array(n), 3);
    flags.or(9, 0b101);
    flags.or(9, 0b010);
    expect(flags.get(9)).toBe(0b111);
    flags.and(9, ~0b100);
    expect(flags.get(9)).toBe(0b011);
    expect(flags.get(8)).toBe(0);
  });

  it('allocates only the pages written to, so a far index costs one page', () => {
    const before = process.memoryUsage().arrayBuffers;
    const far = new PagedArray((n) => new Float64Array(n), 10);
    far.set(5_000_000, 1.5);
    far.set(5_000_001, 2.5);
    expect(far.get(5_000_000) + far.get(5_000_001)).toBe(4);
    // One page of 1,024 doubles is 8 KB; an array up to the index would be 40 MB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });
});
