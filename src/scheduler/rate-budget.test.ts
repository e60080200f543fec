import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.js';

const headers = (limit: number, remaining: number) =>
  new Headers({
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(remaining),
  });

describe('RateBudget', () => {
  it('learns a limit from the headers and starts from what the server has left', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    budget.observe(headers(600, 300), 0, undefined);
    expect(budget.requests?.perMinute).toBe(600);
    expect(budget.requests?.capacity).toBe(10);
    expect(budget.requests?.level(0)).toBe(5); // half the server's minute left: half our burst
  });

  it('takes off a shortfall at send time once, however many answers report it', () => {
    const budget = new RateBudget({ rpm: 600, tpm: undefined, burstMs: 1000 }, 0);
    const sent = [1, 2, 3, 4].map(() => budget.take(0, 0)); // levels 9, 8, 7, 6
    // The server had 6 fewer than we thought: after our four calls it reported 3, 2, 1 and 0 left.
    for (const [i, levels] of sent.entries()) budget.observe(headers(600, (3 - i) * 60), 0, levels);
    expect(budget.requests?.level(0)).toBeCloseTo(0);
    // Refill since sending is kept: an answer read 500 ms later takes off only the shortfall.
    const later = new RateBudget({ rpm: 600, tpm: undefined, burstMs: 1000 }, 0);
    const levels = later.take(0, 0); // 9 left
    later.observe(headers(600, 480), 500, levels); // the server had 8 of 10 left: 1 short
    // 9 plus 500 ms of refill is capped at the burst of 10; less the shortfall of 1. Lowering to the
    // reported 8 instead would have thrown away a request's worth of refill.
    expect(later.requests?.level(500)).toBeCloseTo(9);
  });

  it('halves the burst and aims lower only for a 429 on a call sent under the budget', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    budget.observe(headers(600, 0), 0, undefined);
    expect(budget.onRateLimited(headers(600, 0), 0, undefined)).toBe(true); // a blind probe's 429
    expect(budget.requests?.capacity).toBe(10);
    const sent = budget.take(0, 5000);
    expect(budget.onRateLimited(headers(600, 0), 5000, sent)).toBe(true);
    expect(budget.requests?.perMinute).toBe(588);
    expect(budget.requests?.capacity).toBeLessThanOrEqual(5);
  });

  it('has nothing to blame without a budget', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    expect(budget.onRateLimited(undefined, 0, undefined)).toBe(false);
  });
});
