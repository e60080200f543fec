/**
 * The `queue` executor: `volley run --queue redis://...` makes this process a coordinator. Each
 * item becomes one call job (id = run id + content digest + line key, so adding it again is a
 * no-op) that a `volley worker` anywhere answers; each answer comes back here and the engine
 * commits it like any other (journal first, input order). The run id is an executor entry in the
 * run journal, so a rerun after a crash uses the same job ids: what the workers answered meanwhile
 * is taken from Redis without paying again, and only what is missing is added.
 */
import { randomBytes } from 'node:crypto';
import type { CallRequest } from '../providers/types.js';
import { stopsLane } from '../retry/decide.js';
import { concurrently } from '../run/concurrently.js';
import { failureRecord, resultRecord } from '../run/executors/call-records.js';
import type { Executor, ExecutorContext, Outcome, WorkItem } from '../run/types.js';
import type { CallQueue } from './call-queue.js';
import { JobWaits } from './job-waits.js';
import { type CallJobData, type CallJobResult, callJobId, reviveError } from './protocol.js';

export interface QueueExecutorOptions {
  readonly queue: CallQueue;
  /** The model of items that name none (the coordinator's `--model`), so every worker sends the same. */
  readonly model: string;
  /** Per-attempt timeout and per-call deadline (ms) for the workers, from the coordinator's flags. */
  readonly timeout?: number | undefined;
  readonly deadline?: number | undefined;
  /** How often jobs whose completion event may have been missed are looked up (ms). @default 10000 */
  readonly sweepMs?: number | undefined;
}

interface RunEntry {
  readonly queue: 'run';
  readonly run: string;
}

export function queueExecutor(options: QueueExecutorOptions): Executor<CallRequest> {
  const { queue } = options;
  let stopping: ((what: 'queued' | 'all') => void) | undefined;

  function outcomeOf(item: WorkItem<CallRequest>, result: CallJobResult, context: ExecutorContext) {
    if (result.ok) {
      const { usage, model } = result.result;
      const cost = usage && context.pricing.cost(model, usage, 'realtime');
      return { item, record: resultRecord(item.line, item.key, result.result, cost) };
    }
    const error = reviveError(result.error);
    if (error.code === 'aborted') return { item, abandoned: true as const };
    // As in a local run: every other line would fail the same way; stop, and rerun once fixed.
    if (stopsLane(error) || error.code === 'unreachable')
      return { item, abandoned: true as const, stop: error };
    return { item, record: failureRecord(item.line, item.key, item.payload.model ?? options.model, error) };
  }

  return {
    name: 'queue',
    tier: 'realtime',
    run(items, context) {
      const earlier = context.journal.entries.find((e): e is RunEntry => (e as RunEntry)?.queue === 'run');
      const run = earlier?.run ?? `r${randomBytes(6).toString('hex')}`;
      const resumed = earlier !== undefined;
      const waits = new JobWaits(queue, context.clock, options.sweepMs);
      let toAdd: { id: string; data: CallJobData }[] = [];
      let flushing: Promise<void> | undefined;
      /** Jobs whose answer the engine has: removed from Redis once the run has every outcome. */
      const answered: string[] = [];

      const jobData = (item: WorkItem<CallRequest>): CallJobData => ({
        v: 1,
        run,
        key: item.key,
        request: { ...item.payload, model: item.payload.model ?? options.model },
        timeout: options.timeout,
        deadline: options.deadline,
      });

      // Items handed over in one turn go in one addBulk; on a resume, jobs answered while this
      // coordinator was away are taken from Redis at once (no event will come for them).
      const flush = async () => {
        while (toAdd.length > 0) {
          const batch = toAdd;
          toAdd = [];
          await queue.add(batch);
          await context.journal.note({ queue: 'enqueued', run, jobs: batch.length });
          if (resumed) waits.apply(await queue.lookup(batch.map((j) => j.id)));
        }
        flushing = undefined;
      };

      const start = (item: WorkItem<CallRequest>): Promise<Outcome<CallRequest>> =>
        new Promise((settle) => {
          const id = callJobId(run, item.hash, item.key);
          const data = jobData(item);
          waits.wait(id, data, (result) => {
            if (result === undefined) return settle({ item, abandoned: true });
            const ended = outcomeOf(item, result, context);
            if ('record' in ended) answered.push(id);
            settle(ended);
          });
          toAdd.push({ id, data });
          flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
        });
      stopping = (what) => {
        const ids = waits.ids();
        // The workers' answers stay in Redis: a rerun takes them without paying again.
        if (what === 'all') for (const id of ids) waits.giveUp(id);
        else
          void queue.removeWaiting(ids).then((removed) => {
            for (const id of removed) waits.giveUp(id);
          });
      };

      return (async function* () {
        try {
          if (!resumed) await context.journal.note({ queue: 'run', run } satisfies RunEntry);
          context.status({ phase: 'queued', detail: `run ${run} on the queue` });
          yield* concurrently(items, start);
        } finally {
          waits.close();
          await flushing;
          // Jobs not answered yet stay (a rerun takes their answers); all expire after a day.
          await queue.remove(answered).catch(() => {});
        }
      })();
    },
    stop(what) {
      stopping?.(what);
    },
  };
}
