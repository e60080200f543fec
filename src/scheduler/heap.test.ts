import { describe, expect, it } from 'vitest';
import { Heap } from './heap.js';

describe('Heap', () => {
  it('pops in order whatever the push order', () => {
    const heap = new Heap<number>((a, b) => a < b);
    const values = [5, 3, 9, 1, 7, 2, 8, 2, 6, 4, 0];
    for (const v of values) heap.push(v);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
