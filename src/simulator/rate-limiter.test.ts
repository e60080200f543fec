import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './durations.js';
import { RateLimiter } from './rate-limiter.js';

function limiter(rpm: number | undefined, tpm: number | undefined, burstWindowMs = 1000) {
  const clock = { t: 0, now: () => clock.t };
  return { clock, limiter: new RateLimiter({ rpm, tpm, burstWindowMs, clock }) };
}

describe('RateLimiter', () => {
  it('refills continuously at limit / 60000 per ms', () => {
    const { clock, limiter: rl } = limiter(60, undefined);
    expect(rl.tryAdmit(1)).toEqual({ admitted: true });
    clock.t = 250;
    const refused = rl.tryAdmit(1);
    expect(refused).toMatchObject({ admitted: false, limit: 'requests' });
    expect(refused.admitted || refused.waitMs).toBeCloseTo(750, 6);
    clock.t = 999;
    expect(rl.tryAdmit(1).admitted).toBe(false);
    clock.t = 1000;
    expect(rl.tryAdmit(1).admitted).toBe(true);
  });

  it('holds a burst of limit × burstWindowMs / 60000, at least 1', () => {
    const { limiter: rl } = limiter(600, undefined);
    for (let i = 0; i < 10; i++) expect(rl.tryAdmit(1).admitted).toBe(true);
    const refused = rl.tryAdmit(1);
    expect(refused.admitted || retryAfterMs(refused.waitMs)).toBe(100);

    const { limiter: slow } = limiter(6, undefined);
    expect(slow.tryAdmit(1).admitted).toBe(true);
    const wait = slow.tryAdmit(1);
    expect(wait.admitted || retryAfterMs(wait.waitMs)).toBe(10_000);
  });

  it('lets a request larger than the token burst through on a full bucket, then charges it', () => {
    const { clock, limiter: rl } = limiter(undefined, 6000);
    // Capacity is 100 tokens; 250 would never fit, so a full bucket is enough.
    expect(rl.tryAdmit(250).admitted).toBe(true);
    const refused = rl.tryAdmit(10);
    expect(refused).toMatchObject({ admitted: false, limit: 'tokens' });
    // Level is -150; 10 tokens need 160 at 0.1 per ms.
    expect(refused.admitted || retryAfterMs(refused.waitMs)).toBe(1600);
    clock.t = 1600;
    expect(rl.tryAdmit(10).admitted).toBe(true);
  });

  it('takes nothing for a refused request, and a client waiting retry-after-ms is admitted', () => {
    const { clock, limiter: rl } = limiter(600, 60_000);
    for (let i = 0; i < 10; i++) rl.tryAdmit(10);
    clock.t = 37;
    const first = rl.tryAdmit(10);
    const second = rl.tryAdmit(10);
    expect(first.admitted || retryAfterMs(first.waitMs)).toBe(63);
    expect(second).toEqual(first);
    clock.t += retryAfterMs(first.admitted ? 0 : first.waitMs);
    expect(rl.tryAdmit(10).admitted).toBe(true);
  });

  it('reports the limit that binds longest', () => {
    const { limiter: requestBound } = limiter(60, 60_000);
    requestBound.tryAdmit(10);
    expect(requestBound.tryAdmit(10)).toMatchObject({ admitted: false, limit: 'requests' });
    // tpm 300: a 5-token burst, refilled at 0.005 per ms; after 10 tokens it needs 2000 ms.
    const { limiter: tokenBound } = limiter(60, 300);
    tokenBound.tryAdmit(10);
    const refused = tokenBound.tryAdmit(10);
    expect(refused).toMatchObject({ admitted: false, limit: 'tokens' });
    expect(refused.admitted || retryAfterMs(refused.waitMs)).toBe(2000);
  });

  it('admits everything when no limit is configured, and sends no headers', () => {
    const { limiter: rl } = limiter(undefined, undefined);
    for (let i = 0; i < 1000; i++) expect(rl.tryAdmit(1_000_000).admitted).toBe(true);
    expect(rl.headers()).toEqual({});
  });

  it('reports per-minute remaining, 0 below one unit, and the time until full', () => {
    const { clock, limiter: rl } = limiter(600, 60_000);
    expect(rl.headers()).toEqual({
      'x-ratelimit-limit-requests': '600',
      'x-ratelimit-remaining-requests': '600',
      'x-ratelimit-reset-requests': '0s',
      'x-ratelimit-limit-tokens': '60000',
      'x-ratelimit-remaining-tokens': '60000',
      'x-ratelimit-reset-tokens': '0s',
    });
    rl.tryAdmit(250); // token capacity 1000: a quarter spent
    expect(rl.headers()).toMatchObject({
      'x-ratelimit-remaining-requests': '540',
      'x-ratelimit-reset-requests': '100ms',
      'x-ratelimit-remaining-tokens': '45000',
      'x-ratelimit-reset-tokens': '250ms',
    });
    for (let i = 0; i < 9; i++) rl.tryAdmit(1);
    clock.t = 50; // half a request back: still nothing to send
    expect(rl.headers()['x-ratelimit-remaining-requests']).toBe('0');
    expect(rl.headers()['x-ratelimit-reset-requests']).toBe('950ms');
  });

  it('never reports negative remaining tokens', () => {
    const { limiter: rl } = limiter(undefined, 600);
    rl.tryAdmit(100);
    expect(rl.headers()['x-ratelimit-remaining-tokens']).toBe('0');
    expect(rl.headers()['x-ratelimit-reset-tokens']).toBe('10s');
  });
});
