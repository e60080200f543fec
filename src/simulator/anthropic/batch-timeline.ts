import { type LinePlan, linesDone, linesEndAt } from '../batch/line-plan.js';
import type { Step } from '../batch/steps.js';

export type ProcessingStatus = 'in_progress' | 'canceling' | 'ended';

export interface MessageBatchTimeline {
  /** Each status with the clock ms it starts at, in order; the last one may lie in the future. */
  readonly steps: readonly Step<ProcessingStatus>[];
  /** Requests that will have run once the batch ends. */
  readonly linesRun: number;
  /** Why the rest did not run: the window closed, or the batch was canceled. */
  readonly rest: 'expired' | 'canceled';
}

/**
 * The life of an Anthropic message batch: `in_progress` from creation (there is no validation
 * phase), `ended` once the last request is done or the window closes; a cancel makes it `canceling`
 * and freezes the requests where they are, then `ended` after `cancellingMs`.
 */
export function messageBatchTimeline(
  plan: LinePlan,
  cancelAt: number | undefined,
  cancellingMs: number,
): MessageBatchTimeline {
  const start = { status: 'in_progress' as const, at: plan.startAt };
  if (cancelAt !== undefined && cancelAt < linesEndAt(plan)) {
    return {
      steps: [start, { status: 'canceling', at: cancelAt }, { status: 'ended', at: cancelAt + cancellingMs }],
      linesRun: linesDone(plan, cancelAt),
      rest: 'canceled',
    };
  }
  return {
    steps: [start, { status: 'ended', at: linesEndAt(plan) }],
    linesRun: linesDone(plan, plan.expiresAt),
    rest: 'expired',
  };
}
