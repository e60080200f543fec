/**
 * The shared limiter's script against a real redis-server, on a manual clock passed as the script's
 * time: every wait and level below is exact. Two `SharedLimiter`s on one key stand for two workers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IOClock } from '../test-support/io-clock.js';
import { describeWithRedis, type RedisServer, startRedis } from '../test-support/redis-server.js';
import { type LimiterTicket, SharedLimiter, type SharedLimiterOptions } from './shared-limiter.js';

let server: RedisServer;
let redis: Redis;
let clock: IOClock;
let key: string;
let serial = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});
beforeEach(() => {
  clock = new IOClock(() => redis.ping());
  key = `test:limiter:${++serial}`;
});

function worker(options: Partial<SharedLimiterOptions> = {}): SharedLimiter {
  return new SharedLimiter({ redis, key, clock, time: () => clock.now(), burstMs: 1000, ...options });
}

function headers(values: Record<string, number>): Headers {
  return new Headers(
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`x-ratelimit-${k}`, String(v)])),
  );
}

/** Resolves to the time the acquire was admitted at, on the manual clock. */
function admittedAt(limiter: SharedLimiter, estimate: number): Promise<number> {
  return limiter.acquire(estimate).then(() => clock.now());
}

describeWithRedis('the shared limiter', () => {
  describe('two continuously refilled buckets', () => {
    it('admits one request a second at 60 rpm with a one second burst, for every worker', async () => {
      const [a, b] = [worker({ rpm: 60 }), worker({ rpm: 60 })];
      await a.acquire(0);
      const times = [admittedAt(b, 0), admittedAt(a, 0)];
      await clock.advance(2500);
      expect(await Promise.all(times)).toEqual([1000, 2000]);
    });

    it('asks Redis for calls that fit side by side, not one round trip after another', async () => {
      const connection = new Redis(server.url);
      try {
        const limiter = worker({ redis: connection, rpm: 600 });
        const runner = connection as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const script = runner['volleyLimiter']!.bind(connection);
        let inFlight = 0;
        let most = 0;
        runner['volleyLimiter'] = async (...args) => {
          most = Math.max(most, ++inFlight);
          try {
            return await script(...args);
          } finally {
            inFlight--;
          }
        };
        const tickets = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire(0)));
        expect(tickets).toHaveLength(8);
        expect(most).toBe(8);
        expect(clock.now()).toBe(0);
      } finally {
        connection.disconnect();
      }
    });

    it('reserves the estimate times what answers have cost, and waits exactly for the tokens', async () => {
      const limiter = worker({ tpm: 6000 }); // 100 tokens a second, 100 in the bucket
      const first = await limiter.acquire(60); // reserves 60 x 1.2 = 72 before any answer is seen
      expect(first.reserved).toBe(72);
      const second = admittedAt(limiter, 10); // needs 12: (12 - 28) < 0, goes at once
      await clock.advance(0);
      expect(await second).toBe(0);
      const third = admittedAt(limiter, 50); // needs 60 of 16 left: 440 ms
      await clock.advance(1000);
      expect(await third).toBe(440);
    });

    it('asks a waiting call its estimate again at each try, so it reserves what is known by then', async () => {
      const limiter = worker({ tpm: 6000 }); // 100 tokens a second, 100 in the bucket
      await limiter.acquire(80); // reserves 96: 4 left
      let estimate = 50; // needs 60: 560 ms
      const ticket = limiter.acquire(() => estimate);
      await clock.advance(100);
      estimate = 40; // learned meanwhile: answers are shorter than thought
      await clock.advance(1000);
      const taken = await ticket;
      expect(taken.estimate).toBe(40);
      expect(taken.reserved).toBe(48);
    });

    it('debits both or neither: a call short of tokens leaves the request bucket alone', async () => {
      const limiter = worker({ rpm: 600, tpm: 6000 });
      await limiter.acquire(80); // takes the whole token bucket (96 of 100)
      const pending = admittedAt(limiter, 80);
      await clock.advance(100);
      expect(Number((await limiter.state())['r'])).toBeCloseTo(9, 6); // 10 - 1, refilled to the cap
      await clock.advance(1000);
      expect(await pending).toBe(920); // (96 - 4) tokens at 0.1 a ms
    });
  });

  describe('requests that can never fit', () => {
    it('fails at once with request_too_large, naming the numbers', async () => {
      const limiter = worker({ tpm: 6000 });
      await expect(limiter.acquire(7000)).rejects.toMatchObject({
        code: 'request_too_large',
        message: expect.stringMatching(/7000 tokens.*6000 tokens per minute/),
      });
      expect(clock.now()).toBe(0);
    });

    it('lets a request above the burst but within the minute go on a full bucket, into debt', async () => {
      const limiter = worker({ tpm: 6000 });
      const big = await limiter.acquire(1000);
      expect(big.reserved).toBe(1200);
      const small = admittedAt(limiter, 10); // 1100 of debt and 12 to pay: 11.12 s
      await clock.advance(12_000);
      expect(await small).toBe(11_120);
    });
  });

  describe('limits learned from the headers', () => {
    it('probes an unknown server with at most four calls until an answer states the limits', async () => {
      const [a, b] = [worker(), worker()];
      const probes = await Promise.all([a.acquire(10), a.acquire(10), b.acquire(10), b.acquire(10)]);
      expect(probes.every((t) => t.probe)).toBe(true);
      const fifth = admittedAt(b, 10);
      await clock.advance(50);
      await a.done(probes[0]!, {
        answered: true,
        headers: headers({ 'limit-tokens': 6000, 'remaining-tokens': 3000 }),
      });
      await clock.advance(50);
      expect(await fifth).toBe(100);
      const state = await a.state();
      expect(state['lt']).toBe(6000);
      // The server said half its minute is left (half our one-second bucket) at 50 ms; 50 ms of
      // refill later the fifth took its 12.
      expect(state['t']).toBeCloseTo(50 + 5 - 12, 6);
    });

    it('takes a configured limit as an upper bound the headers can only lower', async () => {
      const limiter = worker({ tpm: 3000 }); // 50 tokens a second
      const ticket = await limiter.acquire(10);
      await limiter.done(ticket, { answered: true, headers: headers({ 'limit-tokens': 6000 }) });
      await clock.advance(1000);
      await limiter.acquire(45); // 54 on a full 50-token bucket: 4 in debt
      const next = admittedAt(limiter, 10); // 12 + 4 at 3000 a minute, not 6000
      await clock.advance(1000);
      expect(await next).toBe(1000 + 320);
      const t2 = await limiter.acquire(0);
      await limiter.done(t2, { answered: true, headers: headers({ 'limit-tokens': 1500 }) });
      await expect(limiter.acquire(2000)).rejects.toMatchObject({ code: 'request_too_large' });
    });

    it('follows a halved limit at once on every worker', async () => {
      const [a, b] = [worker({ rpm: 120 }), worker({ rpm: 120 })];
      const t = await a.acquire(0);
      await a.done(t, {
        answered: true,
        headers: headers({ 'limit-requests': 60, 'remaining-requests': 60 }),
      });
      const times = [admittedAt(b, 0), admittedAt(b, 0)];
      await clock.advance(3000);
      // 60 a minute now: the bucket holds one request and refills one a second.
      expect(await Promise.all(times)).toEqual([0, 1000]);
    });

    it('lowers the shared level by what the server counted that we did not', async () => {
      const [a, b] = [worker({ tpm: 60_000 }), worker({ tpm: 60_000 })]; // 1000 tokens in the bucket
      const ticket = await a.acquire(100); // reserves 120, leaves 880
      // Another client of the same account spent 500: the server has 380 of its 1000 left.
      await a.done(ticket, {
        answered: true,
        headers: headers({ 'limit-tokens': 60_000, 'remaining-tokens': 22_800 }),
      });
      expect(Number((await b.state())['t'])).toBeCloseTo(380, 6);
    });

    it('takes a shortfall once whichever order the answers come back in', async () => {
      // Two calls reserve 120 each (880, then 760 left); the server charges 110 each, and another
      // client of the account spent 500: it has 390 left after the first, 280 after the second.
      const answers = [
        { charged: 110, headers: headers({ 'limit-tokens': 60_000, 'remaining-tokens': 390 * 60 }) },
        { charged: 110, headers: headers({ 'limit-tokens': 60_000, 'remaining-tokens': 280 * 60 }) },
      ];
      for (const order of [
        [0, 1],
        [1, 0],
      ]) {
        key = `test:limiter:${++serial}`;
        const limiter = worker({ tpm: 60_000 });
        const tickets = [await limiter.acquire(100), await limiter.acquire(100)];
        for (const i of order) await limiter.done(tickets[i]!, { answered: true, ...answers[i]! });
        expect(Number((await limiter.state())['t'])).toBeCloseTo(280, 6);
      }
    });
  });

  describe('reconciliation', () => {
    it('turns the reservation into what the server charged, and learns how estimates run', async () => {
      const limiter = worker({ tpm: 60_000 });
      const ticket = await limiter.acquire(100); // 120 reserved, 880 left
      await limiter.done(ticket, { answered: true, charged: 130 });
      const state = await limiter.state();
      expect(state['t']).toBeCloseTo(870, 6);
      expect(state['em']).toBeCloseTo(0.95 + 1.3 * 0.05, 9);
    });

    it('gives back a call that never reached the server', async () => {
      const limiter = worker({ rpm: 60, tpm: 60_000 });
      const ticket = await limiter.acquire(100);
      await limiter.done(ticket, { answered: false, charged: 0, unsent: true });
      const state = await limiter.state();
      expect([state['r'], state['t']]).toEqual([1, 1000]);
    });
  });

  describe('429s', () => {
    it('pause every worker and empty the budget the server says ran out', async () => {
      const [a, b] = [worker({ rpm: 600, tpm: 60_000 }), worker({ rpm: 600, tpm: 60_000 })];
      const ticket: LimiterTicket = await a.acquire(10);
      await a.done(ticket, {
        answered: true,
        pauseMs: 2000,
        headers: headers({ 'limit-tokens': 60_000, 'remaining-tokens': 0, 'remaining-requests': 5 }),
      });
      const next = admittedAt(b, 10);
      await clock.advance(3000);
      // Paused 2 s; by then the emptied token bucket holds 2000 ms of refill, plenty for 12.
      expect(await next).toBe(2000);
      const state = await a.state();
      expect(state['hd']).toBeCloseTo(0.99, 9); // sent under a known limit: 1% off the learned one
      await clock.advance(6_000); // 9 s after the 429
      await a.done(await a.acquire(10), { answered: true, charged: 12 });
      expect((await a.state())['hd']).toBeCloseTo(0.99, 9);
      await clock.advance(1_000);
      await a.done(await a.acquire(10), { answered: true, charged: 12 });
      expect((await a.state())['hd']).toBeCloseTo(1, 9); // 10 s without one gives 1% back
    });
  });

  describe('no starvation', () => {
    it('lets a large call that has waited a refill claim its tokens ahead of small ones', async () => {
      const [big, small] = [worker({ tpm: 6000 }), worker({ tpm: 6000 })]; // 100 tokens, 0.1 a ms
      await small.acquire(80); // 96 taken, 4 left
      let bigTime: number | undefined;
      const bigAt = admittedAt(big, 80).then((t) => {
        bigTime = t;
      });
      // Small calls at exactly the refill rate would keep the level below 96 forever.
      const smallAt: number[] = [];
      const keepSending = async () => {
        while (bigTime === undefined && smallAt.length < 60) smallAt.push(await admittedAt(small, 10));
      };
      const sending = keepSending();
      await clock.advance(8000);
      await Promise.all([bigAt, sending]);
      // It polls at 920 ms (it has waited less than one refill of its 96), claims at 1760 with 12
      // in the bucket, and goes at 2600 when the level, left alone by the small calls, reaches 96.
      expect(bigTime).toBe(2600);
      expect(smallAt.length).toBeLessThan(60);
    });
  });
});
