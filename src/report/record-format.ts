/**
 * The run record: one JSON object per line, written by `recordRun` and read by `volley report` and
 * `volley status`. Field names are short because a large run writes several records per call.
 *
 * Times (`t`) are whole milliseconds since the run header's `at`. Lanes are numbered in the order
 * first seen; a `lane` record names each number before any record uses it.
 *
 *   {"e":"run","v":1,"at":1718000000000,"wall":"2024-06-10T06:13:20.000Z","meta":{...},"limits":{...}}
 *   {"e":"lane","l":0,"k":"openai:https://api.openai.com/v1#1a2b|gpt-4o-mini","m":"gpt-4o-mini","p":"openai","u":"https://api.openai.com/v1"}
 *   {"e":"ls","t":0,"l":0,"f":0,"q":1,"c":4}                     lane snapshot (every second)
 *   {"e":"q","i":"call-0","l":0,"t":0,"n":312}                   queued, estimated tokens
 *   {"e":"s","i":"call-0","l":0,"t":3,"a":1}                     attempt started
 *   {"e":"r","i":"call-0","l":0,"t":410,"ms":1000,"st":429}      rate limited: the lane pauses
 *   {"e":"y","i":"call-0","l":0,"t":410,"a":1,"ms":1000,"c":"rate_limited","st":429}   retry planned
 *   {"e":"f","i":"call-0","l":0,"t":1800,"a":2,"lat":380,"qd":1420,"in":300,"out":42,"fr":"stop"}
 *   {"e":"x","i":"call-1","l":0,"t":1900,"a":6,"qd":900,"lat":30,"c":"server_error","st":500,"msg":"..."}
 *   {"e":"end","t":2000,"wall":"2024-06-10T06:13:22.000Z"}
 *
 * A line holds one record, or an array of records: the recorder writes the records of one turn of
 * the event loop (up to 1,000) as one line, which keeps the cost per event low. A file may hold
 * several segments, one per invocation of the same run (a resumed `volley run` appends one): each
 * begins with its own header, numbers its lanes afresh and counts its times from its own `at`.
 * Readers put the segments end to end on one timeline of active time (`decode.ts`).
 */

export const RECORD_VERSION = 1;

/** What the caller says about the run: shown on the report and by `volley status`. */
export interface RunMeta {
  /** The command line or a short name for the run. */
  readonly command?: string | undefined;
  /** The default model of the run. */
  readonly model?: string | undefined;
  /** Calls or items the run is expected to make, when known: gives done/total and an ETA. */
  readonly total?: number | undefined;
  /** Items an earlier run already finished (a resumed batch): counted as done by `volley status`. */
  readonly done?: number | undefined;
  /** Anything else worth keeping with the run (string values only, shown as they are). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

/** The client's configured limits; learned ones arrive in lane snapshots. */
export interface ConfiguredLimits {
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly maxConcurrency?: number | undefined;
  readonly maxAttempts?: number | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface HeaderRecord {
  readonly e: 'run';
  readonly v: number;
  /** Clock time of the start (epoch ms with the system clock): the origin of every `t`. */
  readonly at: number;
  /** Wall time of the start, ISO 8601. */
  readonly wall: string;
  readonly meta: RunMeta;
  readonly limits: ConfiguredLimits;
}

export interface LaneRecord {
  readonly e: 'lane';
  readonly l: number;
  /** Lane key: provider id and model (internal; shown only when nothing better is known). */
  readonly k: string;
  readonly m: string;
  /** The provider's name (`openai`, `azure.ai.openai`, `anthropic`), when it gives one. */
  readonly p?: string | undefined;
  /** The provider's base URL, without credentials. */
  readonly u?: string | undefined;
}

/** A lane at one moment: the limits in force and what is queued. */
export interface SnapshotRecord {
  readonly e: 'ls';
  readonly t: number;
  readonly l: number;
  readonly rpm?: number;
  readonly tpm?: number;
  /** In flight. */
  readonly f: number;
  /** Queued, retries waiting for their backoff included. */
  readonly q: number;
  /** Concurrency cap. */
  readonly c: number;
  /** What the head of the queue waits for: concurrency, requests, tokens, backoff, paused, priority. */
  readonly w?: string;
  /** A 429 pause in force until this time. */
  readonly pu?: number;
}

interface CallRecordBase {
  readonly i: string;
  readonly l: number;
  readonly t: number;
}

export interface QueuedRecord extends CallRecordBase {
  readonly e: 'q';
  /** Estimated tokens, when the lane had a tokens budget to count them for. */
  readonly n?: number | undefined;
  /** Priority, when not 0. */
  readonly p?: number;
}

export interface StartedRecord extends CallRecordBase {
  readonly e: 's';
  readonly a: number;
}

export interface RateLimitedRecord extends CallRecordBase {
  readonly e: 'r';
  /** The lane's pause (ms). */
  readonly ms: number;
  readonly st?: number;
}

export interface RetriedRecord extends CallRecordBase {
  readonly e: 'y';
  /** The attempt that failed. */
  readonly a: number;
  /** Backoff before the next attempt (ms). */
  readonly ms: number;
  readonly c: string;
  readonly st?: number;
}

export interface FinishedRecord extends CallRecordBase {
  readonly e: 'f';
  readonly a: number;
  /** Duration of the successful attempt (ms). */
  readonly lat: number;
  /** Time queued over all attempts (ms). */
  readonly qd: number;
  readonly in?: number;
  readonly out?: number;
  readonly fr?: string;
  /** The model that answered, when it differs from the lane's. */
  readonly m?: string;
}

export interface FailedRecord extends CallRecordBase {
  readonly e: 'x';
  readonly a: number;
  readonly qd?: number;
  /** Duration of the last attempt, when the call failed in flight (ms). */
  readonly lat?: number;
  readonly c: string;
  readonly st?: number;
  readonly msg: string;
}

export interface EndRecord {
  readonly e: 'end';
  readonly t: number;
  readonly wall: string;
}

export type CallRecord =
  | QueuedRecord
  | StartedRecord
  | RateLimitedRecord
  | RetriedRecord
  | FinishedRecord
  | FailedRecord;

export type RunRecord = HeaderRecord | LaneRecord | SnapshotRecord | CallRecord | EndRecord;

/** Reasons a lane gives for its queue that mean "held back by a rate limit", not by a free slot. */
export const LIMIT_REASONS: ReadonlySet<string> = new Set(['requests', 'tokens', 'paused']);
