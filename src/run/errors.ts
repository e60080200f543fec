/** Why a run could not start or go on, apart from the items' own errors. */
export type RunErrorCode =
  /** An output exists that no journal accounts for. */
  | 'output_exists'
  /** The journal is not a run journal, or belongs to another output. */
  | 'journal_mismatch'
  /** `resume` was asked for and there is no journal. */
  | 'nothing_to_resume'
  /** The journal was written against another endpoint (server, key, model, simulator). */
  | 'identity_changed'
  /** Another live process is writing the same output. */
  | 'locked'
  /** The input, the output's folder or the journal cannot be read or written. */
  | 'input'
  /** The journal could not be written: the run stopped. */
  | 'journal_write_failed';

export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly code: RunErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A problem with how the run was asked for (exit 2 on the command line), not with the run itself. */
  get usage(): boolean {
    return this.code !== 'journal_write_failed';
  }
}
