/**
 * `volley worker`: takes call jobs from the shared queue, sends each with this worker's own
 * client (its own key, from its own environment; keys never pass through Redis), and returns the
 * answer or the error as the job's result. Several runs share one queue and one set of workers.
 *
 * A worker whose key the provider rejects puts the job back, stops taking jobs and says so: the
 * jobs stay in the queue for healthy workers. A worker that dies (kill -9) loses its locks; after
 * `lockDurationMs` any worker's stalled check (every `stallIntervalMs`) puts its jobs back.
 */
import type { Job, Worker } from 'bullmq';
import { asVolleyError, type Volley } from '../client/volley.js';
import type { VolleyError } from '../errors.js';
import { positive, rejectUnknown, wholePositive } from '../options/check.js';
import { loadTokenizer } from '../tokens/count.js';
import { openRedis } from './connect.js';
import { type CallJobData, type CallJobResult, rejectsWorker, wireError } from './protocol.js';
import type { RedisTarget } from './redis-url.js';

export interface QueueWorkerOptions {
  readonly target: RedisTarget;
  /** This worker's client: its provider, key and limits (with the shared limiter plugged in). */
  readonly volley: Volley;
  /** Jobs taken at once. @default 32 */
  readonly concurrency?: number | undefined;
  /** @default the URL's `?queue=`, else 'volley' */
  readonly queueName?: string | undefined;
  /**
   * How long a job's lock lasts without renewal (ms); renewed every half of it while the worker
   * lives. Long enough that a busy event loop does not lose it, short enough that a dead worker's
   * calls come back soon. @default 30000
   */
  readonly lockDurationMs?: number | undefined;
  /** How often the workers look for jobs whose lock expired (ms). @default 15000 */
  readonly stallIntervalMs?: number | undefined;
  /** Stalls a job survives before it fails (a job that kills every worker it meets). @default 3 */
  readonly maxStalledCount?: number | undefined;
}

export type WorkerEnd =
  | { readonly reason: 'closed' }
  | { readonly reason: 'rejected'; readonly error: VolleyError };

export interface QueueWorker {
  /** Settles once the worker has stopped, saying why. */
  readonly stopped: Promise<WorkerEnd>;
  /** Takes no more jobs and lets those in hand finish; with `force`, puts them back at once. */
  close(force?: boolean): Promise<void>;
  /** Jobs answered, failed (an error record), put back, and in hand now. */
  readonly counts: { answered: number; failed: number; putBack: number; inHand: number };
}

const KNOWN = [
  'target',
  'volley',
  'concurrency',
  'queueName',
  'lockDurationMs',
  'stallIntervalMs',
  'maxStalledCount',
];

export async function startWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  rejectUnknown(options, KNOWN);
  const concurrency = wholePositive('concurrency', options.concurrency) ?? 32;
  const lockDuration = positive('lockDurationMs', options.lockDurationMs) ?? 30_000;
  const stalledInterval = positive('stallIntervalMs', options.stallIntervalMs) ?? 15_000;
  const maxStalledCount = wholePositive('maxStalledCount', options.maxStalledCount) ?? 3;
  const { volley } = options;
  // A job taken before the SDK has loaded (seconds on a busy host) would wait here while other
  // workers could send it; take none until this worker can send. The tokenizer's tables likewise:
  // every job goes through the token-aware shared limiter, so the first one would start loading
  // them, and the quarter of a second (more on a busy host) they hold the event loop would stall
  // every call in hand just as the run starts.
  await Promise.all([volley.options.provider.ready?.(), loadTokenizer()]);
  const { Worker: BullWorker, WaitingError } = await import('bullmq');
  const connection = await openRedis(options.target);
  const inHand = new Set<AbortController>();
  const counts = { answered: 0, failed: 0, putBack: 0, inHand: 0 };
  let closing = false;
  let rejected: VolleyError | undefined;
  let resolveStopped!: (end: WorkerEnd) => void;
  const stopped = new Promise<WorkerEnd>((resolve) => {
    resolveStopped = resolve;
  });

  async function putBack(job: Job, token: string | undefined): Promise<never> {
    counts.putBack++;
    await job.moveToWait(token);
    throw new WaitingError();
  }

  async function process(job: Job<CallJobData>, token?: string): Promise<CallJobResult> {
    if (rejected || closing) return putBack(job, token);
    const data = job.data;
    const controller = new AbortController();
    inHand.add(controller);
    counts.inHand++;
    try {
      const result = await volley.complete(data.request, {
        id: job.id,
        signal: controller.signal,
        ...(data.timeout === undefined ? {} : { timeout: data.timeout }),
        ...(data.deadline === undefined ? {} : { deadline: data.deadline }),
        ...(data.priority === undefined ? {} : { priority: data.priority }),
      });
      counts.answered++;
      return { ok: true, result };
    } catch (thrown) {
      const error = asVolleyError(thrown);
      if (rejectsWorker(error)) {
        reject(error);
        return putBack(job, token);
      }
      // Cancelled because this worker is going away: the call is another worker's to make.
      if (error.code === 'aborted' && closing) return putBack(job, token);
      counts.failed++;
      return { ok: false, error: wireError(error) };
    } finally {
      inHand.delete(controller);
      counts.inHand--;
    }
  }

  const worker: Worker = new BullWorker(options.queueName ?? options.target.queueName, process, {
    connection,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    // A call's result is collected by its coordinator, then the job goes; a day covers a
    // coordinator that was down and is resumed.
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 24 * 3600 },
  });
  // Connection trouble is retried by ioredis; a worker only reports, it does not die of it.
  worker.on('error', () => {});

  function reject(error: VolleyError): void {
    if (rejected) return;
    rejected = error;
    void close(false);
  }

  let closed: Promise<void> | undefined;
  function close(force = false): Promise<void> {
    closing = true;
    if (force) for (const controller of inHand) controller.abort();
    closed ??= (async () => {
      await worker.close();
      connection.disconnect();
      resolveStopped(rejected ? { reason: 'rejected', error: rejected } : { reason: 'closed' });
    })();
    if (force) for (const controller of inHand) controller.abort();
    return closed;
  }

  await worker.waitUntilReady();
  return { stopped, close, counts };
}
