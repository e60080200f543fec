import { hits, type ResolvedBatchOptions } from './options.js';

/**
 * When each line of a batch is done, as pure arithmetic on the clock. Batches are not driven by
 * timers: every request reads where a batch stands from the time alone, so a test on a manual clock
 * moves a whole batch by advancing it, and nothing runs while nobody asks.
 */
export interface LinePlan {
  readonly total: number;
  /** Clock ms at which the first line starts. */
  readonly startAt: number;
  /** Clock ms each line takes; lines run one after another. */
  readonly msPerLine: number;
  /** Lines answered before progress stops for good (a stall); `total` without one. */
  readonly limit: number;
  /** Clock ms at which the window closes and lines not yet done will never run. */
  readonly expiresAt: number;
}

/** The plan of a batch's lines from the options: the stall fault when it hits, the 24-hour window. */
export function linePlan(
  batches: ResolvedBatchOptions,
  batch: {
    readonly number: number;
    readonly total: number;
    readonly createdAt: number;
    readonly startAt: number;
  },
): LinePlan {
  const stall = hits(batches.faults.stall, batch.number) ? batches.faults.stall!.afterLines : Infinity;
  return {
    total: batch.total,
    startAt: batch.startAt,
    msPerLine: batches.msPerLine,
    limit: Math.min(batch.total, stall),
    expiresAt: batch.createdAt + batches.windowMs,
  };
}

// Line k is done at startAt + k × msPerLine; this keeps floating-point noise from losing a line.
const EPSILON = 1e-9;

/** Lines done by `at`, capped by the stall and by the window. */
export function linesDone(plan: LinePlan, at: number): number {
  const until = Math.min(at, plan.expiresAt);
  if (until < plan.startAt) return 0;
  const done =
    plan.msPerLine === 0 ? plan.total : Math.floor((until - plan.startAt) / plan.msPerLine + EPSILON);
  return Math.min(done, plan.limit, plan.total);
}

/** When the last line is done, or undefined when a stall or the window stops it first. */
export function allDoneAt(plan: LinePlan): number | undefined {
  if (plan.limit < plan.total) return undefined;
  const at = plan.startAt + plan.total * plan.msPerLine;
  return at <= plan.expiresAt + EPSILON ? at : undefined;
}

/** When the lines stop, done or not: the last line, or the window's close. */
export function linesEndAt(plan: LinePlan): number {
  return allDoneAt(plan) ?? plan.expiresAt;
}
