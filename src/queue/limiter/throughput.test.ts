/**
 * Workers sharing one token limit reach it, on the manual clock: answers ±30% around their typical
 * length (every estimate is off), an exact server limit, and throughput measured against the
 * ceiling (the first second's burst, then the limit per minute). One seed, and time moves only
 * between Redis's answers, so no figure depends on the machine.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IOClock } from '../test-support/io-clock.js';
import { busiestWindow, runWorkers } from '../test-support/limit-harness.js';
import { describeWithRedis, type RedisServer, startRedis } from '../test-support/redis-server.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

const TPM = 180_000;

describeWithRedis('the shared limiter at the ceiling', () => {
  it.each([
    [1, 64],
    [4, 16],
    [16, 8],
  ])(
    '%i worker(s) of %i calls each reach 0.95 of a token limit',
    { timeout: 120_000 },
    async (workers, loops) => {
      const clock = new IOClock(() => redis.ping());
      const run = await runWorkers({
        redis,
        clock,
        key: `test:throughput:${workers}`,
        workers,
        loops,
        calls: 600,
        server: {
          tpm: TPM,
          burstWindowMs: 1000,
          latencyMedianMs: 1000,
          latencySpread: 0.3,
          outputTokens: 400,
          outputTokensSpread: 0.3,
        },
      });
      const tokens = run.admissions.reduce((sum, a) => sum + a.tokens, 0);
      const last = Math.max(...run.admissions.map((a) => a.at));
      const ceiling = TPM / 60 + (TPM * last) / 60_000;
      expect(run.rateLimited / 600).toBeLessThanOrEqual(0.005);
      expect(busiestWindow(run.admissions, 60_000)).toBeLessThanOrEqual(1.05 * TPM);
      expect(tokens / ceiling).toBeGreaterThanOrEqual(0.95);
    },
  );
});
