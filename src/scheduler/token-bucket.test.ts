import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('starts full and refills continuously up to its capacity', () => {
    const bucket = new TokenBucket(600, 10, 0); // 10 per second
    expect(bucket.level(0)).toBe(10);
    bucket.take(10, 0);
    expect(bucket.level(0)).toBe(0);
    expect(bucket.level(250)).toBeCloseTo(2.5);
    expect(bucket.level(10_000)).toBe(10);
  });

  it('says how long until a cost fits', () => {
    const bucket = new TokenBucket(600, 10, 0);
    bucket.take(10, 0);
    expect(bucket.waitFor(1, 0)).toBe(100);
    expect(bucket.waitFor(1, 100)).toBe(0);
    expect(bucket.waitFor(5, 100)).toBe(400);
  });

  it('lets a cost above capacity through once full, leaving debt', () => {
    const bucket = new TokenBucket(60_000, 1000, 0); // 1000 tokens per second
    expect(bucket.waitFor(4000, 0)).toBe(0);
    bucket.take(4000, 0);
    expect(bucket.level(0)).toBe(-3000);
    expect(bucket.waitFor(4000, 0)).toBe(4000);
  });

  it('reconciles estimates and follows the server down, never up', () => {
    const bucket = new TokenBucket(60_000, 1000, 0);
    bucket.take(800, 0);
    bucket.adjust(300, 0); // the call used 300 fewer than estimated
    expect(bucket.level(0)).toBe(500);
    bucket.lowerTo(100, 0);
    expect(bucket.level(0)).toBe(100);
    bucket.lowerTo(900, 0);
    expect(bucket.level(0)).toBe(100);
  });
});
