import { answerChatLine, type ChatLineResult, lineTokens } from './chat-line.js';
import type { BatchContext } from './context.js';
import { lineId } from './ids.js';
import type { BatchError, CheckedInput } from './input-file.js';
import { lineFault } from './line-faults.js';
import { type LinePlan, linePlan, linesDone } from './line-plan.js';
import { type BatchOutput, writeOutput } from './openai-output.js';
import { type BatchStatus, ENDED, openaiTimeline, statusAt, type Timeline } from './openai-timeline.js';
import { validate } from './validation.js';

export interface OpenAIBatchInit {
  readonly id: string;
  readonly number: number;
  readonly createdAt: number;
  readonly inputFileId: string;
  readonly endpoint: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly input: CheckedInput;
}

/** One OpenAI batch: what was asked, a cancel if any, and where it stands at a given time. */
export class OpenAIBatch {
  readonly plan: LinePlan;
  cancelAt: number | undefined;
  /** Set once the batch has ended and its files are written. */
  output: BatchOutput | undefined;
  #validation: readonly BatchError[] | undefined;
  readonly #results: ChatLineResult[] = [];

  constructor(
    readonly init: OpenAIBatchInit,
    readonly context: BatchContext,
    /** Prompt tokens other batches of `model` hold enqueued at `at`. */
    readonly enqueued: (model: string, at: number, self: OpenAIBatch) => number,
  ) {
    const { batches } = context.options;
    const { createdAt, number } = init;
    this.plan = linePlan(batches, {
      number,
      total: init.input.lines.length,
      createdAt,
      startAt: createdAt + batches.validationMs,
    });
  }

  #tokens: number | undefined;
  /** Prompt tokens of all lines: what the batch holds enqueued until it ends. */
  get tokens(): number {
    this.#tokens ??= this.init.input.lines.reduce((sum, line) => sum + lineTokens(line.body), 0);
    return this.#tokens;
  }

  get model(): string | undefined {
    return this.init.input.model;
  }

  timeline(now: number): Timeline {
    const { batches } = this.context.options;
    return openaiTimeline(
      {
        createdAt: this.init.createdAt,
        validatedAt: this.plan.startAt,
        valid: () => this.validationErrors().length === 0,
        plan: this.plan,
        finalizingMs: batches.finalizingMs,
        cancellingMs: batches.cancellingMs,
        cancelAt: this.cancelAt,
      },
      now,
    );
  }

  status(now: number): { status: BatchStatus; since: number } {
    return statusAt(this.timeline(now), now);
  }

  /** Writes the files once the batch has ended (a failed batch has none); returns the status now. */
  settle(now: number): { status: BatchStatus; since: number } {
    const current = this.status(now);
    const { status, since } = current;
    // A failed batch ends without files; the others write theirs once.
    if (this.output === undefined && ENDED.has(status) && status !== 'failed')
      this.output = writeOutput(this, status as 'completed' | 'expired' | 'cancelled', since, this.context);
    return current;
  }

  /** What validation finds (see `validate`), worked out once. */
  validationErrors(): readonly BatchError[] {
    this.#validation ??= validate(this);
    return this.#validation;
  }

  /** Lines done by `now`, each answered once and kept: answers are what the output file will hold. */
  results(now: number): readonly ChatLineResult[] {
    if (now < this.plan.startAt || this.validationErrors().length > 0) return [];
    const done = linesDone(this.plan, Math.min(now, this.cancelAt ?? now));
    const { options } = this.context;
    const where = { seed: options.seed, batchId: this.init.id, batchNumber: this.init.number };
    for (let i = this.#results.length; i < done; i++) {
      const at = this.plan.startAt + (i + 1) * this.plan.msPerLine;
      const fault = lineFault(options.batches.faults.lines, where, i);
      const meta = {
        id: lineId('chatcmpl-', this.init.id, i),
        created: Math.floor(this.context.unixMs(at) / 1000),
      };
      this.#results.push(answerChatLine(this.init.input.lines[i]!.body, options, fault, meta));
    }
    return this.#results.slice(0, done);
  }
}
