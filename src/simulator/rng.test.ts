import { describe, expect, it } from 'vitest';
import { digest, lognormal, mulberry32, seedFrom } from './rng.js';

describe('seeded randomness', () => {
  it('replays the same sequence for the same seed, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(first);
    expect(Array.from({ length: 100 }, c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws lognormal latencies around the median', () => {
    const random = mulberry32(7);
    expect(lognormal(random, 400, 0)).toBe(400);
    const draws = Array.from({ length: 4001 }, () => lognormal(random, 400, 0.5)).sort((x, y) => x - y);
    expect(draws[2000]).toBeGreaterThan(370);
    expect(draws[2000]).toBeLessThan(430);
    expect(draws.every((x) => x > 0)).toBe(true);
  });

  it('derives seeds from a digest that depend on both inputs', () => {
    const key = digest(['gpt-4o-mini', [{ role: 'user', content: 'hi' }]]);
    expect(digest(['gpt-4o-mini', [{ role: 'user', content: 'hi' }]])).toBe(key);
    expect(digest(['gpt-4o', [{ role: 'user', content: 'hi' }]])).not.toBe(key);
    expect(seedFrom(1, key)).toBe(seedFrom(1, key));
    expect(seedFrom(2, key)).not.toBe(seedFrom(1, key));
  });
});
