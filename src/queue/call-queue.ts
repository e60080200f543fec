/**
 * The coordinator's side of the queue: adds call jobs, hears their results as they complete, and
 * looks jobs up when an event may have been missed (a resumed run, a Redis restart). Results are
 * read from the completed job itself, the one place that cannot be lost while Redis lives, so a
 * coordinator killed and restarted takes the answers its workers gave meanwhile without paying
 * for them again.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, openRedis } from './connect.js';
import type { CallJobData, CallJobResult } from './protocol.js';
import type { RedisTarget } from './redis-url.js';

export type JobLookup =
  | { readonly state: 'completed'; readonly result: CallJobResult }
  /** Stalled more often than allowed, or failed in a way no processor returned. */
  | { readonly state: 'failed'; readonly reason: string }
  | { readonly state: 'pending' }
  | { readonly state: 'missing' };

export interface CallQueue {
  /** Adds jobs; an id already in the queue is left as it is (so adding again is harmless). */
  add(jobs: readonly { readonly id: string; readonly data: CallJobData }[]): Promise<void>;
  lookup(ids: readonly string[]): Promise<Map<string, JobLookup>>;
  /** Removes jobs not yet taken by a worker; returns the ids it removed. */
  removeWaiting(ids: readonly string[]): Promise<string[]>;
  remove(ids: readonly string[]): Promise<void>;
  counts(): Promise<Record<string, number>>;
  /** Every completed job of the queue, as it completes. */
  onCompleted(listener: (id: string, result: CallJobResult) => void): void;
  /** Called each time the connection comes back after it was lost (Redis restarted). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export async function openCallQueue(target: RedisTarget, queueName = target.queueName): Promise<CallQueue> {
  const commands = await connectRedis(target);
  const { Queue: BullQueue, QueueEvents: BullQueueEvents } = await import('bullmq');
  const queue: Queue = new BullQueue(queueName, { connection: commands });
  const eventsConnection: Redis = await openRedis(target);
  const events: QueueEvents = new BullQueueEvents(queueName, { connection: eventsConnection });
  queue.on('error', () => {});
  events.on('error', () => {});
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);

  const reconnectListeners: Array<() => void> = [];
  let lost = false;
  commands.on('close', () => {
    lost = true;
  });
  commands.on('ready', () => {
    if (!lost) return;
    lost = false;
    for (const listener of reconnectListeners) listener();
  });

  return {
    async add(jobs) {
      if (jobs.length === 0) return;
      await queue.addBulk(
        jobs.map(({ id, data }) => ({
          name: 'call',
          data,
          opts: { jobId: id, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 24 * 3600 } },
        })),
      );
    },
    async lookup(ids) {
      const found = new Map<string, JobLookup>();
      await Promise.all(
        ids.map(async (id) => {
          const job = await queue.getJob(id);
          if (!job) return found.set(id, { state: 'missing' });
          if (job.finishedOn && job.returnvalue) {
            return found.set(id, { state: 'completed', result: job.returnvalue as CallJobResult });
          }
          if (job.failedReason && job.finishedOn)
            return found.set(id, { state: 'failed', reason: job.failedReason });
          return found.set(id, { state: 'pending' });
        }),
      );
      return found;
    },
    async removeWaiting(ids) {
      const removed: string[] = [];
      await Promise.all(
        ids.map(async (id) => {
          const state = await queue.getJobState(id);
          if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return;
          if ((await queue.remove(id)) === 1) removed.push(id);
        }),
      );
      return removed;
    },
    async remove(ids) {
      await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
    },
    counts: () => queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed'),
    onCompleted(listener) {
      events.on('completed', ({ jobId, returnvalue }) =>
        listener(jobId, returnvalue as unknown as CallJobResult),
      );
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
      eventsConnection.disconnect();
      commands.disconnect();
    },
  };
}
