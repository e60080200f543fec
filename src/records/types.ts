/**
 * Output records: the Batch API output line (`id`, `custom_id`, `response` with `status_code`,
 * `request_id` and `body`, `error`) plus Volley's own fields. Every input line gets exactly one:
 * an answer, a failed call, or a line that could not be sent (bad input, a repeated custom_id).
 * The errors file repeats the records whose `error` is set; `records.ts` builds them.
 */

export interface OutputRecord {
  /** `batch_req_` and 24 hex digits, unique per record, as the Batch API names its request records. */
  readonly id: string;
  readonly custom_id: string;
  readonly response: {
    readonly status_code: number;
    readonly request_id: string | null;
    readonly body: unknown;
  } | null;
  readonly error: OutputError | null;
  /** Volley's fields: where the item came from and what it took. */
  readonly line: number;
  readonly model: string | null;
  readonly attempts: number;
  readonly latency_ms: number | null;
  readonly queued_ms: number | null;
  readonly usage: {
    readonly prompt_tokens: number;
    readonly completion_tokens: number;
    readonly total_tokens: number;
  } | null;
  /** Estimated from the price table; null when the model's price is unknown or nothing was billed. */
  readonly cost_usd: number | null;
}

export interface OutputError {
  /** A `VolleyErrorCode`, or `invalid_input` / `duplicate_custom_id` for lines that were never sent. */
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly field?: string;
}

/** What an output record is, for journals, counts and exit codes. */
export type RecordKind = 'ok' | 'failed' | 'invalid' | 'duplicate';

/** A finished record and its one serialization, shared by the journal, the output and the errors file. */
export interface SerializedRecord {
  readonly record: OutputRecord;
  readonly text: string;
}

export function kindOf(record: OutputRecord): RecordKind {
  if (record.error === null) return 'ok';
  if (record.error.code === 'invalid_input') return 'invalid';
  if (record.error.code === 'duplicate_custom_id') return 'duplicate';
  return 'failed';
}
