/**
 * Connections to Redis, loaded only when a command asks for the queue: a local run never imports
 * ioredis or bullmq. The first contact fails fast (a few seconds, with the URL without its
 * password and the reason); after that a connection reconnects for as long as it takes, and
 * commands wait for it, so a Redis restart pauses a run instead of ending it.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { OptionError } from '../options/check.js';
import type { RedisTarget } from './redis-url.js';

/** How long the first contact may take before the URL is reported unreachable. */
const FIRST_CONTACT_MS = 3000;

/** Checks that `target` answers, then returns a connection that reconnects forever. */
export async function connectRedis(target: RedisTarget, options: RedisOptions = {}): Promise<Redis> {
  await probe(target);
  return openRedis(target, options);
}

/**
 * The shared limiter's connection: every call sends two script runs (admit, then reconcile), and
 * the calls of one process that ask in the same tick go in one write. Each write to a local Redis
 * is a syscall and a wake-up of the server; on 2 cores these, not the scripts, were most of a
 * worker's cost per call. Only script runs go on this connection, never a blocking command.
 */
export function connectLimiterRedis(target: RedisTarget): Promise<Redis> {
  return connectRedis(target, { enableAutoPipelining: true });
}

/** A connection that reconnects forever, for BullMQ (`maxRetriesPerRequest: null` is what it asks). */
export async function openRedis(target: RedisTarget, options: RedisOptions = {}): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(target.url, {
    maxRetriesPerRequest: null,
    connectTimeout: FIRST_CONTACT_MS,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    ...options,
  });
  // Errors while reconnecting are expected (Redis restarting); commands wait and go on once back.
  redis.on('error', () => {});
  return redis;
}

async function probe(target: RedisTarget): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: FIRST_CONTACT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let reason: string | undefined;
  redis.on('error', (error: Error) => {
    reason ??= error.message;
  });
  const timer = setTimeout(() => {
    reason ??= `no answer within ${FIRST_CONTACT_MS / 1000} s`;
    redis.disconnect();
  }, FIRST_CONTACT_MS + 500);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    reason ??= error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
  if (reason !== undefined) {
    const auth = /NOAUTH|WRONGPASS|AUTH/i.test(reason);
    const hint = auth ? 'check the user and password in the URL' : 'start it, or check the URL';
    throw new OptionError(`Cannot use Redis at ${target.shown}: ${reason} (${hint}).`);
  }
}
