/**
 * `volley flow --queue`: the flow engine runs on the coordinator, and each call a step makes is a
 * call job that a `volley worker` answers through the shared limiter, with its own key. This is the
 * client the flow executor is given in place of a local Volley: `complete` adds the job and settles
 * with the worker's result or its error. The steps are journaled by the flow executor as in a local
 * run, so a rerun pays only for the steps that had not finished.
 *
 * A job's id is stable across invocations: the run id journaled in the run journal (`attach`),
 * the call's step and input (its id without this process's counters) and a digest of what it
 * sends. A coordinator killed mid-run and started again therefore adds the same ids: a step still
 * queued or in a worker's hands is waited for, and one a worker answered meanwhile is taken from
 * Redis, never sent again.
 */
import { randomBytes } from 'node:crypto';
import type { CallOptions, CallResult } from '../client/types.js';
import type { Clock } from '../clock.js';
import { AbortError } from '../errors.js';
import type { FlowClient } from '../flows/run-context.js';
import type { CallRequest } from '../providers/types.js';
import { contentHash } from '../records/hash.js';
import type { Executor } from '../run/types.js';
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

export type QueueFlowClient = FlowClient & {
  /** Sets the run whose jobs the calls are (journaled by `queuedFlowExecutor`); `resumed` looks each job up. */
  attach(run: string, resumed: boolean): void;
  close(): void;
};

export function queueFlowClient(options: QueueFlowClientOptions): QueueFlowClient {
  const { queue, clock } = options;
  let run: string | undefined;
  let resumed = false;
  const waits = new JobWaits(queue, clock);
  let serial = 0;

  function complete(request: CallRequest, call: CallOptions = {}): Promise<CallResult> {
    if (run === undefined) return Promise.reject(new Error('queueFlowClient: no run attached'));
    const data: CallJobData = {
      v: 1,
      run,
      key: call.id === undefined ? `call-${++serial}` : stableCallKey(call.id),
      request: { ...request, model: request.model ?? options.model },
      timeout: call.timeout ?? options.timeout,
      deadline: call.deadline ?? options.deadline,
      priority: call.priority,
    };
    const base = callJobId(run, contentHash(data.request), data.key);
    // One step sending the same thing twice at once: the second is its own job. (Sent again after
    // the first was answered, it meets that answer in Redis and is given it by the next sweep.)
    let id = base;
    for (let n = 2; waits.has(id); n++) id = `${base}~${n}`;
    const lookup = resumed;
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
      queue
        .add([{ id, data }])
        // A resumed run: the job may have been answered while no coordinator listened.
        .then(async () => lookup && waits.apply(await queue.lookup([id])))
        .catch((error: unknown) => {
          reject(error);
          waits.giveUp(id);
        });
    });
  }

  return {
    complete,
    attach(id, isResumed) {
      run = id;
      resumed = isResumed;
    },
    // The calls' events happen on the workers; the run's progress comes from the records.
    on: () => () => {},
    options: { clock },
    close: () => waits.close(),
  };
}

/**
 * A flow call id without the counters of this process (`flow:article#3@line-12/outline#4` becomes
 * `flow:article@line-12/outline`): the run context's number and the call's order among concurrent
 * steps differ from one invocation to the next; the flow, input and step path do not.
 */
function stableCallKey(id: string): string {
  return id.replace(/^(flow:.+?)#\d+(?=[@/])/, '$1').replace(/#\d+$/, '');
}

interface RunEntry {
  readonly queue: 'run';
  readonly run: string;
}

/**
 * The flow executor on the queue: the first invocation journals a run id, a rerun of the same
 * journal (after a crash or Ctrl-C) takes it back, so the flow client's job ids stay the same.
 */
export function queuedFlowExecutor<P>(inner: Executor<P>, client: QueueFlowClient): Executor<P> {
  return {
    name: inner.name,
    tier: inner.tier,
    run(items, context) {
      return (async function* () {
        const earlier = context.journal.entries.find((e): e is RunEntry => (e as RunEntry)?.queue === 'run');
        const run = earlier?.run ?? `f${randomBytes(6).toString('hex')}`;
        if (!earlier) await context.journal.note({ queue: 'run', run } satisfies RunEntry);
        client.attach(run, earlier !== undefined);
        yield* inner.run(items, context);
      })();
    },
    stop: (what) => inner.stop(what),
  };
}
