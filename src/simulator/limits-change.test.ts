/** The simulator options the distributed-limiter benches need: a limit changed mid-run, answer lengths that vary. */
import { describe, expect, it } from 'vitest';
import { composeAnswer } from './answers.js';
import { RateLimiter } from './rate-limiter.js';

describe('a limit changed mid-run', () => {
  it('refills at the new rate from then on, keeps the level up to the new burst, and states the new limit', () => {
    const clock = { t: 0, now: () => clock.t };
    const limiter = new RateLimiter({ rpm: 120, tpm: undefined, burstWindowMs: 1000, clock });
    expect(limiter.tryAdmit(0).admitted).toBe(true); // 2 in the bucket, 1 left
    limiter.setLimits({ rpm: 60 });
    expect(limiter.headers()['x-ratelimit-limit-requests']).toBe('60');
    expect(limiter.tryAdmit(0).admitted).toBe(true); // the 1 left fits the new 1-request burst
    const refused = limiter.tryAdmit(0);
    expect(refused).toMatchObject({ admitted: false, limit: 'requests', waitMs: 1000 });
  });
});

describe('answer lengths spread around outputTokens', () => {
  it('stays within ±30% (give or take a word) and covers the range', () => {
    const lengths = Array.from({ length: 200 }, (_, i) =>
      composeAnswer({
        seed: 1,
        key: `k${i}`,
        lastUserText: 'Say something.',
        responseFormat: undefined,
        outputTokens: 100,
        outputTokensSpread: 0.3,
        maxTokens: undefined,
      }),
    ).map((answer) => answer.completionTokens);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(70);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(135);
    expect(Math.min(...lengths)).toBeLessThan(80);
    expect(Math.max(...lengths)).toBeGreaterThan(120);
  });
});
