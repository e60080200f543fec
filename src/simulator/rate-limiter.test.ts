import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './durations.js';
import { type Admission, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

function limiter(
  rpm: number | undefined,
  tpm: number | undefined,
  burstWindowMs = 1000,
  more: Partial<RateLimiterOptions> = {},
) {
  const clock = { t: 0, now: () => clock.t };
  return { clock, limiter: new RateLimiter({ rpm, tpm, burstWindowMs, clock, ...more }) };
}

/** The wait of a refusal that says to wait (throws for an admission or a request too large). */
function waitOf(admission: Admission): number {
  if (admission.admitted || !('waitMs' in admission))
    throw new Error(`no wait: ${JSON.stringify(admission)}`);
  return admission.waitMs;
}

describe('RateLimiter', () => {
  it('refills continuously at limit / 60000 per ms', () => {
    const { clock, limiter: rl } = limiter(60, undefined);
    expect(rl.tryAdmit(1)).toEqual({ admitted: true });
    clock.t = 250;
    const refused = rl.tryAdmit(1);
    expect(refused).toMatchObject({ admitted: false, limit: 'requests' });
    expect(waitOf(refused)).toBeCloseTo(750, 6);
    clock.t = 999;
    expect(rl.tryAdmit(1).admitted).toBe(false);
    clock.t = 1000;
    expect(rl.tryAdmit(1).admitted).toBe(true);
  });

  it('holds a burst of limit × burstWindowMs / 60000, at least 1', () => {
    const { limiter: rl } = limiter(600, undefined);
    for (let i = 0; i < 10; i++) expect(rl.tryAdmit(1).admitted).toBe(true);
    const refused = rl.tryAdmit(1);
    expect(retryAfterMs(waitOf(refused))).toBe(100);

    const { limiter: slow } = limiter(6, undefined);
    expect(slow.tryAdmit(1).admitted).toBe(true);
    const wait = slow.tryAdmit(1);
    expect(retryAfterMs(waitOf(wait))).toBe(10_000);
  });

  it('refuses for good a request larger than the token bucket, taking nothing', () => {
    const { limiter: rl } = limiter(undefined, 6000);
    // Capacity is 100 tokens (a second's worth): 250 can never fit.
    expect(rl.tryAdmit(250)).toEqual({ admitted: false, tooLarge: true, capacity: 100 });
    expect(rl.tryAdmit(100)).toEqual({ admitted: true });
    // A bucket that holds the whole minute takes anything up to the limit at once.
    const { limiter: minute } = limiter(undefined, 6000, 60_000);
    expect(minute.tryAdmit(5000)).toEqual({ admitted: true });
    expect(minute.tryAdmit(1001)).toMatchObject({ admitted: false, limit: 'tokens' });
    expect(minute.tryAdmit(6001)).toMatchObject({ tooLarge: true, capacity: 6000 });
  });

  it('takes nothing for a refused request, and a client waiting retry-after-ms is admitted', () => {
    const { clock, limiter: rl } = limiter(600, 60_000);
    for (let i = 0; i < 10; i++) rl.tryAdmit(10);
    clock.t = 37;
    const first = rl.tryAdmit(10);
    const second = rl.tryAdmit(10);
    expect(retryAfterMs(waitOf(first))).toBe(63);
    expect(second).toEqual(first);
    clock.t += retryAfterMs(waitOf(first));
    expect(rl.tryAdmit(10).admitted).toBe(true);
  });

  it('reports the limit that binds longest', () => {
    const { limiter: requestBound } = limiter(60, 60_000);
    requestBound.tryAdmit(10);
    expect(requestBound.tryAdmit(10)).toMatchObject({ admitted: false, limit: 'requests' });
    // tpm 600: a 10-token burst, refilled at 0.01 per ms; after 10 tokens, 10 more need 1000 ms.
    const { limiter: tokenBound } = limiter(600, 600);
    tokenBound.tryAdmit(10);
    const refused = tokenBound.tryAdmit(10);
    expect(refused).toMatchObject({ admitted: false, limit: 'tokens' });
    expect(retryAfterMs(waitOf(refused))).toBe(1000);
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
    const { limiter: rl } = limiter(undefined, 600, 10_000);
    rl.tryAdmit(100);
    expect(rl.headers()['x-ratelimit-remaining-tokens']).toBe('0');
    expect(rl.headers()['x-ratelimit-reset-tokens']).toBe('10s');
  });

  it('writes the reset in every form servers use, or a fixed one, and remaining without limit', () => {
    const headers = (more: Partial<RateLimiterOptions>) => {
      const { limiter: rl } = limiter(120, undefined, 90_500, more);
      rl.tryAdmit(1);
      return rl.headers();
    };
    expect(headers({})['x-ratelimit-reset-requests']).toBe('500ms');
    const drained = limiter(120, undefined, 90_500);
    for (let i = 0; i < 181; i++) drained.limiter.tryAdmit(1);
    expect(drained.limiter.headers()['x-ratelimit-reset-requests']).toBe('1m30.5s');
    expect(headers({ resetFormat: 'seconds' })['x-ratelimit-reset-requests']).toBe('0.5');
    const stamped = headers({ resetFormat: 'timestamp' })['x-ratelimit-reset-requests'];
    expect(Date.parse(stamped!) - (performance.timeOrigin + 0)).toBeCloseTo(500, -1);
    expect(headers({ fixedResetMs: 90_500 })['x-ratelimit-reset-requests']).toBe('1m30.5s');
    expect(headers({ limitHeaders: false })).toEqual({
      'x-ratelimit-remaining-requests': '119',
      'x-ratelimit-reset-requests': '500ms',
    });
  });
});
