/**
 * `volley flow --queue`: the flow engine runs on the coordinator, and each call a step makes is a
 * call job that a `volley worker` answers through the shared limiter, with its own key. This is the
 * client the flow executor is given in place of a local Volley: `complete` adds the job and settles
 * with the worker's result or its error. The steps are journaled by the flow executor as in a local
 * run, so a rerun pays only for the steps that had not finished.
 */
import { randomBytes } from 'node:crypto';
import type { CallOptions, CallResult } from '../client/types.js';
import type { Clock } from '../clock.js';
import { AbortError } from '../errors.js';
import type { FlowClient } from '../flows/run-context.js';
import type { CallRequest } from '../providers/types.js';
import { contentHash } from '../records/hash.js';
import type { CallQueue } from './call-queue.js';
import { JobWaits } from './job-waits.js';
import { type CallJobData, callJobId, reviveError } from './protocol.js';

export interface QueueFlowClientOptions {
  readonly queue: CallQueue;
  /** The model of calls that name none (the coordinator's `--model`). */
  readonly model: string;
  readonly clock: Clock;
  /** Per-attempt timeout and per-call deadline (ms) for calls that set none. */
  readonly timeout?: number | undefined;
  readonly deadline?: number | undefined;
}

export type QueueFlowClient = FlowClient & { close(): void };

export function queueFlowClient(options: QueueFlowClientOptions): QueueFlowClient {
  const { queue, clock } = options;
  const run = `f${randomBytes(6).toString('hex')}`;
  const waits = new JobWaits(queue, clock);
  let serial = 0;

  function complete(request: CallRequest, call: CallOptions = {}): Promise<CallResult> {
    const data: CallJobData = {
      v: 1,
      run,
      key: call.id ?? `call-${++serial}`,
      request: { ...request, model: request.model ?? options.model },
      timeout: call.timeout ?? options.timeout,
      deadline: call.deadline ?? options.deadline,
      priority: call.priority,
    };
    const id = callJobId(run, contentHash(data.request), data.key);
    return new Promise<CallResult>((resolve, reject) => {
      const { signal } = call;
      if (signal?.aborted) return reject(new AbortError());
      const onAbort = () => {
        // Taken back while no worker holds it; a call already sent finishes and is not used.
        void queue.removeWaiting([id]).catch(() => {});
        waits.giveUp(id);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waits.wait(id, data, (result) => {
        signal?.removeEventListener('abort', onAbort);
        if (result === undefined) reject(new AbortError());
        else if (result.ok) resolve(result.result);
        else reject(reviveError(result.error));
      });
      queue.add([{ id, data }]).catch((error: unknown) => {
        reject(error);
        waits.giveUp(id);
      });
    });
  }

  return {
    complete,
    // The calls' events happen on the workers; the run's progress comes from the records.
    on: () => () => {},
    options: { clock },
    close: () => waits.close(),
  };
}
