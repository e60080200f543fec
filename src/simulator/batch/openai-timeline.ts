import { allDoneAt, type LinePlan, linesDone, linesEndAt } from './line-plan.js';
import { type Step, stepAt } from './steps.js';

export type BatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

export interface TimelineInput {
  readonly createdAt: number;
  /** Clock ms at which validation ends. */
  readonly validatedAt: number;
  /** Whether validation passes; asked only once `now` has reached `validatedAt`. */
  readonly valid: () => boolean;
  /** The lines, starting at `validatedAt`. */
  readonly plan: LinePlan;
  readonly finalizingMs: number;
  readonly cancellingMs: number;
  /** When a cancel was accepted, if one was. */
  readonly cancelAt: number | undefined;
}

export interface Timeline {
  /** Each status with the clock ms it starts at, in order; the last one may lie in the future. */
  readonly steps: readonly Step<BatchStatus>[];
  /** Lines that will have run once the batch ends (fewer when it expires or is cancelled). */
  readonly linesRun: number;
}

/**
 * The life of an OpenAI batch as far as it is known at `now`: validating → failed | in_progress →
 * finalizing → completed; expired when the window closes first; cancelling → cancelled after a
 * cancel, which freezes the lines where they are. A cancel while finalizing comes too late and is
 * not accepted (see `cancellable`).
 */
export function openaiTimeline(input: TimelineInput, now: number): Timeline {
  const { createdAt, validatedAt, plan, cancelAt } = input;
  const steps: Step<BatchStatus>[] = [{ status: 'validating', at: createdAt }];
  const cancel = (at: number, linesRun: number): Timeline => {
    steps.push({ status: 'cancelling', at }, { status: 'cancelled', at: at + input.cancellingMs });
    return { steps, linesRun };
  };
  if (cancelAt !== undefined && cancelAt < validatedAt) return cancel(cancelAt, 0);
  // What validation finds may depend on other batches up to `validatedAt` (the enqueued tokens).
  if (now < validatedAt) return { steps, linesRun: 0 };
  if (!input.valid()) {
    steps.push({ status: 'failed', at: validatedAt });
    return { steps, linesRun: 0 };
  }
  steps.push({ status: 'in_progress', at: validatedAt });
  if (cancelAt !== undefined && cancelAt < linesEndAt(plan))
    return cancel(cancelAt, linesDone(plan, cancelAt));
  const doneAt = allDoneAt(plan);
  if (doneAt === undefined) {
    steps.push({ status: 'expired', at: plan.expiresAt });
    return { steps, linesRun: linesDone(plan, plan.expiresAt) };
  }
  steps.push({ status: 'finalizing', at: doneAt }, { status: 'completed', at: doneAt + input.finalizingMs });
  return { steps, linesRun: plan.total };
}

/** The status at `now`, and when it began. */
export function statusAt(timeline: Timeline, now: number): { status: BatchStatus; since: number } {
  const { status, at } = stepAt(timeline.steps, now);
  return { status, since: at };
}

export const ENDED: ReadonlySet<BatchStatus> = new Set(['failed', 'completed', 'expired', 'cancelled']);

/** A cancel is accepted while validating or in progress; later it is too late or already done. */
export function cancellable(status: BatchStatus): boolean {
  return status === 'validating' || status === 'in_progress';
}
