/**
 * `--queue redis://...` on `volley run` and `volley flow`: connects (failing fast, exit 2, when
 * Redis cannot be used) and gives the command the queue executor in place of the local calls, or
 * the flow engine a client whose calls are jobs. Loaded only when the flag is given, so a local run
 * never loads bullmq or ioredis.
 */
import type { Clock } from '../clock.js';

import type { CallRequest } from '../providers/types.js';
import type { Executor } from '../run/types.js';
import { openCallQueue } from './call-queue.js';
import { queueExecutor } from './executor.js';
import { type QueueFlowClient, queuedFlowExecutor, queueFlowClient } from './flow-client.js';
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

export interface FlowCoordinator {
  /** The client the flow executor runs the flow on: its calls go to the workers. */
  readonly volley: QueueFlowClient;
  /** The flow executor on `volley`, with the run id it journals so job ids survive a restart. */
  wrap<P>(executor: Executor<P>): Executor<P>;
  readonly shown: string;
  close(): Promise<void>;
}

export async function openFlowCoordinator(
  url: string,
  options: { model: string; clock: Clock; timeout?: number | undefined; deadline?: number | undefined },
): Promise<FlowCoordinator> {
  const target = redisTarget(url);
  const queue = await openCallQueue(target);
  const volley = queueFlowClient({ queue, ...options });
  return {
    volley,
    wrap: (executor) => queuedFlowExecutor(executor, volley),
    shown: target.shown,
    close: async () => {
      volley.close();
      await queue.close();
    },
  };
}
