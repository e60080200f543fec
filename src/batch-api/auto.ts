/**
 * The `auto` executor (`volley run --mode auto --deadline 8h`): the lowest cost that meets the
 * deadline. Every line goes to the Batch API first; once the time left is what realtime needs
 * for the lines still open (at the configured or learned requests and tokens per minute, with
 * room for a cancel and a poll), the open batches are cancelled, what they answered is merged,
 * and the rest goes through the realtime executor. A line is handed over only after its batch
 * ended without an answer for it, so no line is paid twice. At the end it says what each path
 * cost, and what realtime alone would have.
 */
import type { CallRequest } from '../providers/types.js';
import type { Executor, ExecutorContext, Outcome, WorkItem } from '../run/types.js';
import { BatchRun } from './batch-run.js';
import { Channel, merge } from './channel.js';
import type { BatchApiOptions } from './options.js';
import { PathCosts } from './path-costs.js';
import { remoteFor } from './remote-for.js';

export interface AutoOptions {
  readonly batch: BatchApiOptions;
  /** Answers what the batches did not (the `calls` executor over the client's lanes). */
  readonly realtime: Executor<CallRequest>;
  /** From the start of the invocation (ms). */
  readonly deadlineMs: number;
  /** Realtime's pace, now: requests and tokens per minute (configured, or learned by the lanes). */
  readonly pace: () => { readonly rpm?: number | undefined; readonly tpm?: number | undefined };
  /** How often the switch is considered (ms). @default a tenth of the poll interval */
  readonly checkMs?: number | undefined;
  /** How long a cancel may take to end a batch (OpenAI allows up to 10 minutes). @default 600000 */
  readonly cancelMs?: number | undefined;
}

/** Realtime's estimate is stretched by this much: a lane rarely runs at its very ceiling. */
const SLACK = 1.2;

export function autoExecutor(options: AutoOptions): Executor<CallRequest> {
  let batches: BatchRun | undefined;
  return {
    name: 'auto',
    tier: 'batch',
    run(items, context) {
      return (async function* () {
        const remote = options.batch.remote ?? (await remoteFor(options.batch.provider));
        const run = new BatchRun(remote, options.batch, context);
        batches = run;
        const handed = new Channel<WorkItem<CallRequest>>();
        const costs = new PathCosts(context.pricing);
        const stopWatch = watch(run, handed, context, options);
        const fromBatches = (async function* () {
          try {
            yield* run.outcomes(items);
          } finally {
            stopWatch();
            handed.end();
          }
        })();
        for await (const [path, outcome] of merge(fromBatches, options.realtime.run(handed, context))) {
          if ('record' in outcome) costs.add(path === 0 ? 'batch' : 'realtime', outcome.record);
          yield outcome as Outcome<CallRequest>;
        }
        const elapsed = context.clock.now() - (handed.startedAt ?? context.clock.now());
        const detail = costs.describe(elapsed, handed.switchedAt, options.deadlineMs);
        context.status({ phase: 'summary', detail });
      })();
    },
    stop(what) {
      if (what === 'queued') batches?.stopQueued();
      else batches?.halt();
      options.realtime.stop(what);
    },
  };
}

/** Arms the check that switches to realtime when the time left is what realtime needs. */
function watch(
  run: BatchRun,
  handed: Channel<WorkItem<CallRequest>>,
  context: ExecutorContext,
  options: AutoOptions,
): () => void {
  const { clock } = context;
  const start = clock.now();
  handed.startedAt = start;
  const deadline = start + options.deadlineMs;
  const pollMs = options.batch.pollMs ?? 60_000;
  const every = options.checkMs ?? Math.max(1_000, pollMs / 10);
  let cancel = () => {};
  const check = () => {
    const { lines, tokens } = run.open;
    const { rpm, tpm } = options.pace();
    const minutes = Math.max(rpm ? lines / rpm : 0, tpm ? tokens / tpm : 0);
    // Room for the cancel to take effect and be seen, and for the answers to be read.
    const need = minutes * 60_000 * SLACK + (options.cancelMs ?? 600_000) + 2 * pollMs;
    if (lines > 0 && clock.now() + need >= deadline) {
      handed.switchedAt = clock.now() - start;
      run.handOff((item) => handed.push(item));
      return;
    }
    cancel = clock.setTimer(check, every);
  };
  cancel = clock.setTimer(check, every);
  return () => cancel();
}
