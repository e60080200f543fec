import type { ResolvedSimulatorOptions } from '../options.js';
import type { StatsRecorder } from '../stats.js';
import { FileStore } from './file-store.js';

/** What the Batch API routes of one simulator share. */
export interface BatchContext {
  readonly options: ResolvedSimulatorOptions;
  readonly stats: StatsRecorder;
  readonly files: FileStore;
  /** Clock ms now. */
  readonly now: () => number;
  /** Unix ms for a clock reading: `epochMs` plus the clock's time since the simulator was made. */
  readonly unixMs: (clockMs: number) => number;
  /** 1, 2, 3, ...: the number of each new batch, both APIs counted together (`BatchNumbers`). */
  readonly nextBatchNumber: () => number;
  /** Keeps a new batch, so that `settle` reaches it. */
  readonly track: (batch: Settling) => void;
  /** Brings every batch up to now: ended ones write their results and count their lines. */
  readonly settle: () => void;
}

export interface Settling {
  settle(now: number): unknown;
}

/** The shared state of the Batch APIs of one simulator. */
export function batchContext(options: ResolvedSimulatorOptions, stats: StatsRecorder): BatchContext {
  const { clock, epochMs } = options;
  const origin = clock.now();
  const batches: Settling[] = [];
  let number = 0;
  const now = () => clock.now();
  return {
    options,
    stats,
    files: new FileStore(),
    now,
    unixMs: (clockMs) => epochMs + (clockMs - origin),
    nextBatchNumber: () => ++number,
    track: (batch) => batches.push(batch),
    settle: () => {
      const at = now();
      for (const batch of batches) batch.settle(at);
    },
  };
}

/** Unix seconds, as the OpenAI API writes its timestamps. */
export function unixSeconds(context: BatchContext, clockMs: number): number {
  return Math.floor(context.unixMs(clockMs) / 1000);
}

/** RFC 3339, as the Anthropic API writes its timestamps. */
export function rfc3339(context: BatchContext, clockMs: number): string {
  return new Date(context.unixMs(clockMs)).toISOString();
}
