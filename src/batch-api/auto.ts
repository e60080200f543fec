/**
 * The `auto` executor (`volley run --mode auto --finish-by 8h`): the lowest cost that meets the
 * run's deadline. Every line goes to the Batch API first; once the time left is what realtime needs
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
import { type FinishBy, runDeadline } from './deadline.js';
import type { BatchApiOptions } from './options.js';
import { PathCosts } from './path-costs.js';
import { remoteFor } from './remote-for.js';

export interface AutoOptions {
  readonly batch: BatchApiOptions;
  /** Answers what the batches did not (the `calls` executor over the client's lanes). */
  readonly realtime: Executor<CallRequest>;
  /** When the whole run must be done: a duration from its first invocation, or a clock time. */
  readonly finishBy: FinishBy;
  /** Realtime's pace, now: requests and tokens per minute (configured, or learned by the lanes). */
  readonly pace: () => Pace;
  /** How often the switch is considered (ms). @default a tenth of the poll interval */
  readonly checkMs?: number | undefined;
  /** How long a cancel may take to end a batch (OpenAI allows up to 10 minutes). @default 600000 */
  readonly cancelMs?: number | undefined;
}

interface Pace {
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
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
        const { started, deadline } = await runDeadline(context, options.finishBy);
        const run = new BatchRun(remote, options.batch, context);
        batches = run;
        const handed = new Channel<WorkItem<CallRequest>>();
        const costs = new PathCosts(context.pricing);
        const pace = new Probe(options.pace, context);
        const stopWatch = watch(run, handed, context, { ...options, deadline, pace: () => pace.now() });
        const fromBatches = (async function* () {
          try {
            yield* run.outcomes(pace.divert(items, handed));
          } finally {
            stopWatch();
            handed.end();
          }
        })();
        for await (const [path, outcome] of merge(fromBatches, options.realtime.run(handed, context))) {
          if (path === 1) pace.answered(outcome.item);
          if ('record' in outcome) costs.add(path === 0 ? 'batch' : 'realtime', outcome.record);
          yield outcome as Outcome<CallRequest>;
        }
        const now = context.clock.now();
        const switched = handed.switchedAt === undefined ? undefined : handed.switchedAt - started;
        const detail = costs.describe(now - started, switched, deadline - started);
        context.status({ phase: 'paths', detail, final: true });
      })();
    },
    stop(what) {
      if (what === 'queued') batches?.stopQueued();
      else batches?.halt();
      options.realtime.stop(what);
    },
  };
}

/**
 * Realtime's pace as the lanes know it. With nothing configured and nothing learned yet (no call
 * has gone through a lane), the first line goes to realtime at once: its answer's rate-limit
 * headers teach the lane. A server that sends none leaves the pace of one call at a time at that
 * answer's latency, which errs early (a switch sooner, at a higher cost, not a missed deadline).
 */
class Probe {
  #sentAt: number | undefined;
  #probe: WorkItem<CallRequest> | undefined;
  #latencyMs: number | undefined;

  constructor(
    private readonly pace: () => Pace,
    private readonly context: ExecutorContext,
  ) {}

  now(): Pace {
    const pace = this.pace();
    if (pace.rpm || pace.tpm || this.#latencyMs === undefined) return pace;
    return { rpm: 60_000 / Math.max(1, this.#latencyMs) };
  }

  async *divert(
    items: AsyncIterable<WorkItem<CallRequest>>,
    handed: Channel<WorkItem<CallRequest>>,
  ): AsyncGenerator<WorkItem<CallRequest>> {
    const known = this.pace();
    let probing = !known.rpm && !known.tpm;
    for await (const item of items) {
      if (probing) {
        probing = false;
        this.#probe = item;
        this.#sentAt = this.context.clock.now();
        this.context.status({ phase: 'probe', detail: 'one line through realtime to learn its pace' });
        handed.push(item);
        continue;
      }
      yield item;
    }
  }

  answered(item: WorkItem<CallRequest>): void {
    if (item !== this.#probe || this.#sentAt === undefined) return;
    this.#latencyMs = this.context.clock.now() - this.#sentAt;
  }
}

/** Arms the check that switches to realtime when the time left is what realtime needs. */
function watch(
  run: BatchRun,
  handed: Channel<WorkItem<CallRequest>>,
  context: ExecutorContext,
  options: AutoOptions & { readonly deadline: number },
): () => void {
  const { clock } = context;
  const pollMs = options.batch.pollMs ?? 60_000;
  const every = options.checkMs ?? Math.max(1_000, pollMs / 10);
  let cancel = () => {};
  const check = () => {
    const { lines, tokens } = run.open;
    const { rpm, tpm } = options.pace();
    const minutes = Math.max(rpm ? lines / rpm : 0, tpm ? tokens / tpm : 0);
    // Room for the cancel to take effect and be seen, for the answers to be read, and for this
    // check to come round again (the switch can only happen at one).
    const need = minutes * 60_000 * SLACK + (options.cancelMs ?? 600_000) + 2 * pollMs + every;
    if (lines > 0 && clock.now() + need >= options.deadline) {
      handed.switchedAt = clock.now();
      run.handOff((item) => handed.push(item));
      return;
    }
    cancel = clock.setTimer(check, every);
  };
  cancel = clock.setTimer(check, every);
  return () => cancel();
}
