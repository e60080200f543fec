/**
 * Every failure a caller can see is a `VolleyError` with a literal `code`. Subclasses exist only
 * where callers branch on them: the server answered (`APIError`), the request never got an answer
 * (`ConnectionError`, `TimeoutError`), or the caller gave up (`AbortError`).
 */
export type VolleyErrorCode =
  // The server answered with an error status.
  | 'bad_request'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'request_timeout'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | 'quota_exceeded'
  // The request alone is larger than the tokens-per-minute limit: no wait will let it through.
  | 'request_too_large'
  | 'context_length_exceeded'
  | 'content_filtered'
  | 'server_error'
  // No usable answer came back.
  | 'connection_error'
  // The server could not be reached for longer than the allowed outage.
  | 'unreachable'
  | 'timeout'
  | 'malformed_response'
  // Volley itself stopped the call.
  | 'deadline_exceeded'
  | 'aborted'
  | 'lane_stopped'
  | 'invalid_request'
  | 'budget_exceeded'
  | 'invalid_output'
  // A provider batch (src/batch-api): a line it never ran, a batch that failed validation.
  | 'batch_expired'
  | 'batch_cancelled'
  | 'batch_failed'
  // A file the run keeps could not be written (disk full, I/O error): src/journal/errors.ts.
  | 'journal_write_failed'
  | 'output_write_failed'
  // A journal line in the middle is not a record (src/journal/read-log.ts).
  | 'journal_damaged'
  // Another live process holds the lock on the output: src/journal/lock.ts.
  | 'locked'
  // The response cache's directory cannot be used (src/cache/dir.ts).
  | 'cache_unusable'
  | 'unexpected';

export interface VolleyErrorInit {
  readonly status?: number | undefined;
  readonly headers?: Headers | undefined;
  readonly requestID?: string | undefined;
  readonly attempts?: number;
  /** The server's own verdict (`x-should-retry`), when it gave one; it overrides the code's default. */
  readonly retryable?: boolean | undefined;
  readonly cause?: unknown;
}

export class VolleyError extends Error {
  override readonly name: string = 'VolleyError';
  readonly code: VolleyErrorCode;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** Headers of the last answer, when there was one. */
  readonly headers: Headers | undefined;
  /** The provider's request id (`x-request-id`), to quote to its support. */
  readonly requestID: string | undefined;
  /** How many attempts were made before giving up; set by the scheduler. */
  attempts: number;
  /** The server's `x-should-retry` verdict, when it sent one: it wins over the code's default. */
  readonly retryable: boolean | undefined;

  constructor(code: VolleyErrorCode, message: string, init: VolleyErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status;
    this.headers = init.headers;
    this.requestID = init.requestID;
    this.attempts = init.attempts ?? 0;
    this.retryable = init.retryable;
  }

  /** A plain object for journals and reports: never the headers, which may echo credentials. */
  toJSON(): {
    code: VolleyErrorCode;
    message: string;
    status?: number;
    requestID?: string;
    attempts: number;
  } {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.requestID === undefined ? {} : { requestID: this.requestID }),
      attempts: this.attempts,
    };
  }
}

/** The server answered with an error status. */
export class APIError extends VolleyError {
  override readonly name: string = 'APIError';
}

/** The connection failed or was reset before an answer arrived. */
export class ConnectionError extends VolleyError {
  override readonly name: string = 'ConnectionError';
  constructor(message: string, init: VolleyErrorInit = {}) {
    super('connection_error', message, init);
  }
}

/** One attempt took longer than its timeout, or the call ran past its deadline. */
export class TimeoutError extends VolleyError {
  override readonly name: string = 'TimeoutError';
}

/** The caller cancelled the call through its `AbortSignal`, or `all` cancelled it after a sibling failed. */
export class AbortError extends VolleyError {
  override readonly name: string = 'AbortError';
  constructor(message = 'The call was cancelled before it finished.', init: VolleyErrorInit = {}) {
    super('aborted', message, init);
  }
}

export function isVolleyError(value: unknown): value is VolleyError {
  return value instanceof VolleyError;
}
