import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.js';
import { ServerBucket } from './server-bucket.js';

const headers = (limit: number, remaining: number) =>
  new Headers({
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(remaining),
  });

/** A tokens limit of 240,000 a minute, and what the server says remains of it. */
const tokens = (remaining: number) =>
  new Headers({
    'x-ratelimit-limit-tokens': '240000',
    'x-ratelimit-remaining-tokens': String(remaining),
  });

/** What Azure sends: what remains and when the bucket is full again, no limit. */
const azure = (remaining: number, reset: string) =>
  new Headers({ 'x-ratelimit-remaining-requests': String(remaining), 'x-ratelimit-reset-requests': reset });

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
    // A figure is rounded down to whole units of the minute, a sixtieth of a call here: 180 says
    // "3 to 3 and a sixtieth", and only what we had past that is taken off.
    for (const [i, levels] of sent.entries()) budget.observe(headers(600, (3 - i) * 60), 0, levels);
    expect(budget.requests?.level(0)).toBeCloseTo(1 / 60);
    // Refill since sending is kept: an answer read 500 ms later takes off only the shortfall.
    const later = new RateBudget({ rpm: 600, tpm: undefined, burstMs: 1000 }, 0);
    const levels = later.take(0, 0); // 9 left
    later.observe(headers(600, 480), 500, levels); // the server had 8 of 10 left: 1 short
    // 9 plus 500 ms of refill is capped at the burst of 10; less the shortfall of 1. Lowering to the
    // reported 8 instead would have thrown away a request's worth of refill.
    expect(later.requests?.level(500)).toBeCloseTo(9 + 1 / 60);
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

  it("has room again when the server's retry-after-ms says, not one whole refill later", () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    budget.observe(headers(600, 0), 0, undefined); // 10 a second: a call's refill is 100 ms
    budget.onRateLimited(headers(600, 0), 0, undefined, 45);
    expect(budget.requests?.waitFor(1, 0)).toBe(45);
    // Whole seconds (`retry-after: 1`) say less than the budget knows: its own refill stands.
    budget.take(1, 45);
    budget.onRateLimited(headers(600, 0), 45, undefined, 1000);
    expect(budget.requests?.waitFor(1, 45)).toBe(100);
  });

  it('takes a "0 remaining" for anything short of one call: a timer that fires late loses nothing', () => {
    const budget = new RateBudget({ rpm: 600, tpm: undefined, burstMs: 1000 }, 0);
    for (let i = 0; i < 10; i++) budget.take(1, 0);
    // Each call goes 0.3 ms after its refill, and the server, left with 0.003 of a call, says 0.
    for (let at = 100.3; at < 1000; at += 100.3) {
      expect(budget.requests?.waitFor(1, at)).toBe(0);
      budget.observe(headers(600, 0), at, budget.take(1, at));
    }
    // A refill of 1.003 since the last call, and the nine leftovers of 0.003 kept.
    expect(budget.requests?.level(1003)).toBeCloseTo(1.003 + 9 * 0.003, 3);
  });

  it('has nothing to blame without a budget', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    expect(budget.onRateLimited(undefined, 0, undefined)).toBe(false);
  });

  it('places an answer to a call sent before the limit was known by when it went and what went after', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: undefined, burstMs: 1000 }, 0);
    // A blind probe of four at 0 into a server of 120 a minute with a burst of 2: two admitted.
    const sent = [1, 2, 3, 4].map(() => budget.take(0, 0));
    expect(budget.onRateLimited(azure(0, '1000ms'), 1, sent[2])).toBe(false);
    expect(budget.onRateLimited(azure(0, '1000ms'), 1, sent[3])).toBe(false);
    // The first answer, at 400: the server had 1 of 2 left after it (60 of its 120), has refilled
    // 0.8 since, and the second call took 1: 0.8 now, not the 1 its figure says.
    budget.observe(azure(60, '500ms'), 400, sent[0]);
    expect(budget.requests?.perMinute).toBe(120);
    expect(budget.requests?.level(400)).toBeCloseTo(0.8);
    // The second's "0 left" at 0 is 0.8 now too: nothing changes.
    budget.observe(azure(0, '1000ms'), 400, sent[1]);
    expect(budget.requests?.level(400)).toBeCloseTo(0.8);
  });

  it("credits a call's estimate against its count once, not again when the server's figure shows it", () => {
    const budget = new RateBudget({ rpm: undefined, tpm: 240_000, burstMs: 1000 }, 0); // 4,000 a second
    const sent = budget.take(4000, 0); // estimated from characters: 4,000; the server counted 2,900
    // It admitted the call at once: 1,100 of its 4,000 left, 66,000 of its minute.
    budget.charged(sent, 4000, 2900, 400);
    budget.observe(tokens(66_000), 400, sent);
    // 1,100 then, plus 400 ms of refill. Crediting the 1,100 the estimate was over twice (once as
    // the count, once more as the server's surplus) left 3,800: a call of 2,900 went, and met a 429.
    expect(budget.tokens?.level(400)).toBeCloseTo(2700);
  });

  it('keeps its burst for a 429 only just short, and halves it no lower than the call refused', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: 240_000, burstMs: 1000 }, 0);
    /** A 429 as the lane reads it: the figures, then the refusal with its `retry-after-ms`. */
    const refused = (cost: number, at: number, advisedMs: number) => {
      const sent = budget.take(cost, at);
      budget.observe(tokens(0), at, sent);
      budget.onRateLimited(tokens(0), at, sent, advisedMs);
    };
    // 2 ms short, 8 tokens of a burst of 4,000: our timing against the server's refill. The aim
    // comes down 2%; the burst stays one second of it.
    refused(2000, 0, 2);
    expect(budget.tokens?.perMinute).toBe(235_200);
    expect(budget.tokens?.capacity).toBeCloseTo(3920);
    // 500 ms short: the burst was wrong. Half, or the 2,500 the call needs if that is more: the
    // server refused it for now, not as too large, so its burst holds that much.
    refused(2500, 5000, 500);
    expect(budget.tokens?.capacity).toBeCloseTo(2500);
    refused(100, 10_000, 500);
    expect(budget.tokens?.capacity).toBeCloseTo(2500);
    const unfloored = new RateBudget({ rpm: undefined, tpm: 240_000, burstMs: 1000 }, 0);
    unfloored.onRateLimited(tokens(0), 0, unfloored.take(100, 0), 500);
    expect(unfloored.tokens?.capacity).toBeCloseTo(2000);
  });

  it('gives back a call the server refused unread once, not again as a surplus of the calls after it', () => {
    const budget = new RateBudget({ rpm: undefined, tpm: 240_000, burstMs: 1000 }, 0);
    const big = budget.take(2500, 0); // refused as too large: the server never counted it
    const small = budget.take(1000, 0); // admitted: 3,000 of the server's 4,000 left
    budget.giveBack(big, 2500, 0);
    budget.observe(tokens(180_000), 0, small);
    // The 2,500 given back twice made it the whole bucket, 1,000 more than the server had.
    expect(budget.tokens?.level(0)).toBeCloseTo(3000);
  });
});

describe('ServerBucket without a stated limit', () => {
  it('infers the limit from one snapshot for the assumed burst, or for a longer reset seen', () => {
    // Remaining R, reset T: T = B × (1 − R / L). For B = 1 s, 60 left and full in 500 ms is 120.
    const bucket = new ServerBucket(1000);
    bucket.observe(undefined, 60, 500);
    expect(bucket.limit).toBe(120);
    expect(bucket.burstMs).toBeUndefined();
    // A 429's reset of 2 s shows a burst of at least 2 s: the same snapshot then says 80.
    const longer = new ServerBucket(1000);
    longer.observe(undefined, 0, 2000);
    expect(longer.limit).toBeUndefined();
    longer.observe(undefined, 60, 500);
    expect(longer.limit).toBe(80);
    // A reset as long as the burst says nothing of the limit: what remained is all there is.
    const window = new ServerBucket(1000);
    window.observe(undefined, 60, 90_500);
    expect(window.limit).toBe(60);
  });
});
