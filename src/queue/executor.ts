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
import type { CallQueue, JobLookup } from './call-queue.js';
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

interface Waiting {
  readonly item: WorkItem<CallRequest>;
  readonly settle: (outcome: Outcome<CallRequest>) => void;
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
      const waiting = new Map<string, Waiting>();
      let toAdd: { id: string; data: CallJobData }[] = [];
      let flushing: Promise<void> | undefined;
      let closed = false;
      /** Jobs whose answer the engine has: removed from Redis once the run has every outcome. */
      const answered: string[] = [];

      const finish = (id: string, outcome: (w: Waiting) => Outcome<CallRequest>) => {
        const entry = waiting.get(id);
        if (!entry) return; // another run's job, or a duplicate delivery: the first one counted
        waiting.delete(id);
        const ended = outcome(entry);
        if ('record' in ended) answered.push(id);
        entry.settle(ended);
      };
      const apply = (id: string, found: JobLookup) => {
        if (found.state === 'completed') finish(id, (w) => outcomeOf(w.item, found.result, context));
        else if (found.state === 'failed') {
          finish(id, (w) =>
            outcomeOf(
              w.item,
              { ok: false, error: { code: 'unexpected', message: found.reason, attempts: 0 } },
              context,
            ),
          );
        }
      };
      queue.onCompleted((id, result) => {
        if (!closed) finish(id, (w) => outcomeOf(w.item, result, context));
      });

      // After a Redis restart (or a missed event), ask about every job still out: answered ones
      // are taken, and lost ones (a Redis without persistence forgets them) are added again.
      const sweep = async () => {
        const ids = [...waiting.keys()];
        for (let i = 0; i < ids.length && !closed; i += 500) {
          const chunk = ids.slice(i, i + 500);
          const found = await queue.lookup(chunk);
          const lost: { id: string; data: CallJobData }[] = [];
          for (const [id, entry] of found) {
            if (entry.state === 'missing' && waiting.has(id))
              lost.push({ id, data: jobData(waiting.get(id)!.item) });
            else apply(id, entry);
          }
          await queue.add(lost);
        }
      };
      queue.onReconnect(() => void sweep().catch(() => {}));
      let cancelSweep: (() => void) | undefined;
      const armSweep = () => {
        cancelSweep = context.clock.setTimer(() => {
          void sweep()
            .catch(() => {})
            .finally(() => {
              if (!closed) armSweep();
            });
        }, options.sweepMs ?? 10_000);
      };
      armSweep();

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
          if (resumed) for (const [id, found] of await queue.lookup(batch.map((j) => j.id))) apply(id, found);
        }
        flushing = undefined;
      };

      const start = (item: WorkItem<CallRequest>): Promise<Outcome<CallRequest>> =>
        new Promise((settle) => {
          const id = callJobId(run, item.hash, item.key);
          waiting.set(id, { item, settle });
          toAdd.push({ id, data: jobData(item) });
          flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
        });

      stopping = (what) => {
        const ids = [...waiting.keys()];
        if (what === 'all') {
          // The workers' answers stay in Redis: a rerun takes them without paying again.
          for (const id of ids) finish(id, (w) => ({ item: w.item, abandoned: true }));
          return;
        }
        void queue.removeWaiting(ids).then((removed) => {
          for (const id of removed) finish(id, (w) => ({ item: w.item, abandoned: true }));
        });
      };

      return (async function* () {
        try {
          if (!resumed) await context.journal.note({ queue: 'run', run } satisfies RunEntry);
          context.status({ phase: 'queued', detail: `run ${run} on the queue` });
          yield* concurrently(items, start);
        } finally {
          closed = true;
          cancelSweep?.();
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
