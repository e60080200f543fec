/**
 * What the simulator's Batch APIs (OpenAI Files and Batches, Anthropic Message Batches) can be told:
 * how fast batch time runs, how long each step takes, the enqueued-token limit, and scripted faults.
 * Durations are in batch time, the time the real service would take; `timeScale` shrinks them all.
 */

/** The batches a scripted fault hits: their numbers in order of creation, from 1, both APIs counted together. */
export type BatchNumbers = readonly number[];

/** Why a line fails, written the way each API reports it. */
export type LineFaultKind = 'invalid_request' | 'server_error' | 'overloaded';

export interface LineFault {
  /** Probability (0..1) that a line fails this way; each line draws once. */
  readonly rate: number;
  /**
   * `invalid_request`: a 400 nested in `response.body` (Anthropic: `errored`, `invalid_request_error`);
   * `server_error`: a 500 (`api_error`); `overloaded`: a 503 (`overloaded_error`).
   */
  readonly kind: LineFaultKind;
  /** Only these batches. @default every batch */
  readonly batches?: BatchNumbers;
}

export interface SimulatorBatchFaults {
  /**
   * Per-line failures. One draw per line, seeded by the batch id and the line, so a line resubmitted
   * in a new batch draws again, split between the entries that hit the batch in their order (what
   * their rates add up to past 1 is never drawn).
   * `[{ rate: 1, kind: 'server_error' }]` makes a batch complete with every line failed and no output file.
   * @default []
   */
  readonly lines?: readonly LineFault[];
  /**
   * OpenAI: validation fails after create (status `failed`, not at upload) with one `errors.data`
   * entry per listed input line (from 1; lines past the end are left out), code `invalid_request`.
   * @default undefined (no such fault)
   */
  readonly invalidLines?: { readonly lines: readonly number[]; readonly batches?: BatchNumbers };
  /**
   * The batch answers `afterLines` lines, then makes no more progress and expires when its window
   * closes: OpenAI `expired` with the rest `batch_expired` in the error file, Anthropic `ended` with
   * the rest `expired`. @default undefined (no stall)
   */
  readonly stall?: { readonly afterLines: number; readonly batches?: BatchNumbers };
  /**
   * Anthropic: the first retrieve of a new batch answers 404 `not_found_error`, as the API may just
   * after create. `true` for every batch. @default undefined (no 404)
   */
  readonly notFoundOnFirstRetrieve?: true | { readonly batches?: BatchNumbers };
}

export interface SimulatorBatchOptions {
  /** How many times faster than real time batch time runs: 3600 makes the 24-hour window last 24 s of the clock. @default 1 */
  readonly timeScale?: number;
  /** How long an OpenAI batch stays `validating`, in ms of batch time. @default 5000 */
  readonly validationMs?: number;
  /** How long each line takes, in ms of batch time; lines run one after another. @default 1000 */
  readonly msPerLine?: number;
  /** How long an OpenAI batch stays `finalizing` after its last line, in ms of batch time. @default 2000 */
  readonly finalizingMs?: number;
  /** How long a cancel takes to end the batch (`cancelling`, Anthropic `canceling`), in ms of batch time. @default 5000 */
  readonly cancellingMs?: number;
  /**
   * Prompt tokens the organisation may have enqueued per model in OpenAI batches that have not
   * ended; a batch that would pass it fails validation with `token_limit_exceeded`.
   * @default undefined (no limit)
   */
  readonly enqueuedTokenLimit?: number | undefined;
  /** Scripted faults. @default {} */
  readonly faults?: SimulatorBatchFaults;
}

/** The batch options after defaults, durations already divided by `timeScale` (clock ms). */
export interface ResolvedBatchOptions {
  readonly timeScale: number;
  readonly windowMs: number;
  readonly validationMs: number;
  readonly msPerLine: number;
  readonly finalizingMs: number;
  readonly cancellingMs: number;
  readonly enqueuedTokenLimit: number | undefined;
  readonly faults: ResolvedBatchFaults;
}

export interface ResolvedBatchFaults {
  readonly lines: readonly LineFault[];
  readonly invalidLines: { readonly lines: readonly number[]; readonly batches?: BatchNumbers } | undefined;
  readonly stall: { readonly afterLines: number; readonly batches?: BatchNumbers } | undefined;
  readonly notFoundOnFirstRetrieve: { readonly batches?: BatchNumbers } | undefined;
}

/** Whether a fault scripted for `target` hits batch number `n`. */
export function hits(target: { readonly batches?: BatchNumbers } | undefined, n: number): boolean {
  return target !== undefined && (target.batches === undefined || target.batches.includes(n));
}

/** Both Batch APIs give a batch 24 hours. */
export const BATCH_WINDOW_MS = 24 * 3_600_000;
