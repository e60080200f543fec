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

describe('Heap with items mostly in order', () => {
  it('pops in order through interleaved pushes and pops, in order or not, and drains all', () => {
    // A seeded walk: runs of ascending values (the run), with some that jump back (the heap).
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const heap = new Heap<number>((a, b) => a < b);
    const reference: number[] = [];
    let next = 0;
    for (let step = 0; step < 5000; step++) {
      if (random() < 0.6) {
        if (random() < 0.8) next++;
        const value = random() < 0.8 ? next : Math.floor(random() * next);
        heap.push(value);
        reference.push(value);
        reference.sort((a, b) => a - b);
      } else {
        expect(heap.peek()).toBe(reference[0]);
        expect(heap.pop()).toBe(reference.shift());
      }
      expect(heap.size).toBe(reference.length);
    }
    expect([...heap.items()].sort((a, b) => a - b)).toEqual(reference);
    expect(heap.drain().sort((a, b) => a - b)).toEqual(reference);
    expect(heap.size).toBe(0);
  });
});
