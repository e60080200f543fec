/**
 * The records a run writes: one per input line, whichever way it was answered. `RunRecord` is
 * the base every record has (what the tally, the journal's index and the summary read);
 * `OutputRecord` is a call's record (the Batch API output line plus Volley's fields) and
 * `FlowRecord` a flow run's. The errors file repeats the records whose `error` is set.
 */

/** Fields every record of a run has, in the Batch API output line's naming. */
export interface RunRecord {
  /** The line's own `custom_id`, or `line-N`. */
  readonly custom_id: string;
  /** 1-based line number in the input (blank lines count). */
  readonly line: number;
  readonly error: OutputError | null;
  /** The model that answered (for a flow, the model of its last call), when known. */
  readonly model: string | null;
  /** Attempts made (for a flow, calls made, repairs and retries included); 0 for a line never sent. */
  readonly attempts: number;
  /** How long the answer took (ms): the successful attempt, or the whole flow run. */
  readonly latency_ms: number | null;
  /** Time spent waiting for a slot, rate limits and backoff (ms); null when unknown. */
  readonly queued_ms: number | null;
  readonly usage: RecordUsage | null;
  /** Estimated from the price table; null when the model's price is unknown or nothing was billed. */
  readonly cost_usd: number | null;
  /**
   * Present, and true, when the response cache answered (for a flow: every call it made) without
   * a call: then `attempts` is 0, `usage` null (the body keeps the usage of the call that was
   * paid) and `cost_usd` 0.
   */
  readonly cached?: true;
}

export interface RecordUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** A call's record: the Batch API output line (`id`, `custom_id`, `response`, `error`) plus Volley's fields. */
export interface OutputRecord extends RunRecord {
  /** `batch_req_` and 24 hex digits, unique per record, as the Batch API names its request records. */
  readonly id: string;
  readonly response: {
    readonly status_code: number;
    readonly request_id: string | null;
    readonly body: unknown;
  } | null;
}

/**
 * A flow run's record (`volley flow`, `flow.batch`): the base fields, where `attempts` counts the
 * calls made, `usage` and `cost_usd` add up every call, and `latency_ms` is the run's makespan;
 * then the input, its output (null on failure), and what the run did.
 */
export interface FlowRecord extends RunRecord {
  readonly flow: string;
  readonly input: unknown;
  readonly output: unknown;
  /** Calls made by this run (steps answered from the journal make none). */
  readonly calls: number;
  /** Durable steps answered from the journal instead of a call. */
  readonly steps_from_journal: number;
  /** Calls the response cache answered (not in `calls`, `usage` or `cost_usd`); present when any. */
  readonly cached_calls?: number;
  /** Calls that had to happen one after another. */
  readonly round_trips: number;
}

export interface OutputError {
  /** A `VolleyErrorCode`, or `invalid_input` / `duplicate_custom_id` for lines that were never sent. */
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly field?: string;
}

/** What a record is, for journals, counts and exit codes. */
export type RecordKind = 'ok' | 'failed' | 'invalid' | 'duplicate';

export function kindOf(record: Pick<RunRecord, 'error'>): RecordKind {
  if (record.error === null) return 'ok';
  if (record.error.code === 'invalid_input') return 'invalid';
  if (record.error.code === 'duplicate_custom_id') return 'duplicate';
  return 'failed';
}
