/** Why a batch could not start or go on, apart from the calls' own errors. */
export type BatchErrorCode =
  | 'output_exists'
  | 'journal_mismatch'
  | 'journal_corrupt'
  | 'nothing_to_resume'
  | 'input';

export class BatchError extends Error {
  override readonly name = 'BatchError';
  constructor(
    readonly code: BatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}
