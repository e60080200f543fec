import type { BatchContext } from '../batch/context.js';
import { lineId } from '../batch/ids.js';
import { lineFault } from '../batch/line-faults.js';
import { type LinePlan, linePlan } from '../batch/line-plan.js';
import { stepAt } from '../batch/steps.js';
import { answerBatchRequest, type BatchRequestResult } from './batch-result.js';
import { type MessageBatchTimeline, messageBatchTimeline } from './batch-timeline.js';

export interface BatchRequest {
  readonly customId: string;
  readonly params: unknown;
}

/** What an ended batch left: the results file and its counts. */
export interface MessageBatchResults {
  readonly jsonl: string;
  readonly counts: { succeeded: number; errored: number; canceled: number; expired: number };
}

/** One Anthropic message batch: its requests, a cancel if any, and where it stands at a given time. */
export class MessageBatch {
  readonly plan: LinePlan;
  cancelAt: number | undefined;
  /** Whether a retrieve has been answered yet (the first may be a scripted 404). */
  retrieved = false;
  /** Set once the batch has ended and its results are written. */
  results: MessageBatchResults | undefined;

  constructor(
    readonly id: string,
    readonly number: number,
    readonly createdAt: number,
    readonly requests: readonly BatchRequest[],
    readonly context: BatchContext,
  ) {
    // No validation phase: requests start at once.
    this.plan = linePlan(context.options.batches, {
      number,
      total: requests.length,
      createdAt,
      startAt: createdAt,
    });
  }

  timeline(): MessageBatchTimeline {
    return messageBatchTimeline(this.plan, this.cancelAt, this.context.options.batches.cancellingMs);
  }

  /** Writes the results once the batch has ended; returns the status now. */
  settle(now: number) {
    const timeline = this.timeline();
    const step = stepAt(timeline.steps, now);
    if (step.status === 'ended' && this.results === undefined) this.results = this.#write(timeline);
    return step;
  }

  #write({ linesRun, rest }: MessageBatchTimeline): MessageBatchResults {
    const { options, stats } = this.context;
    const counts = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    const where = { seed: options.seed, batchId: this.id, batchNumber: this.number };
    const lines = this.requests.map(({ customId, params }, i) => {
      if (i >= linesRun) {
        counts[rest]++;
        stats.batches.count('linesNotRun');
        return { custom_id: customId, result: { type: rest } };
      }
      const id = lineId('msg_', this.id, i);
      const result: BatchRequestResult = answerBatchRequest(
        params,
        options,
        lineFault(options.batches.faults.lines, where, i),
        id,
      );
      counts[result.type]++;
      if (result.type === 'succeeded') {
        stats.paid(result.key);
        stats.batches.answered(this.id, result.inputTokens, result.outputTokens);
        return { custom_id: customId, result: { type: 'succeeded', message: result.message } };
      }
      stats.batches.count('linesFailed');
      return { custom_id: customId, result: { type: 'errored', error: result.error } };
    });
    return { jsonl: lines.map((line) => `${JSON.stringify(line)}\n`).join(''), counts };
  }
}
