/**
 * `--queue redis://...` on `volley run`: connects (failing fast, exit 2, when Redis cannot be used)
 * and gives the command the queue executor in place of the local calls. Loaded only when the flag
 * is given, so a local run never loads bullmq or ioredis.
 */

import type { CallRequest } from '../providers/types.js';
import type { Executor } from '../run/types.js';
import { openCallQueue } from './call-queue.js';
import { queueExecutor } from './executor.js';
import { redisTarget } from './redis-url.js';

export interface Coordinator {
  readonly executor: Executor<CallRequest>;
  /** The URL without its password, for the user. */
  readonly shown: string;
  close(): Promise<void>;
}

export async function openCoordinator(
  url: string,
  options: { model: string; timeout?: number | undefined; deadline?: number | undefined },
): Promise<Coordinator> {
  const target = redisTarget(url);
  const queue = await openCallQueue(target);
  const executor = queueExecutor({
    queue,
    model: options.model,
    timeout: options.timeout,
    deadline: options.deadline,
  });
  return { executor, shown: target.shown, close: () => queue.close() };
}
