/**
 * The errors of the durable files. A failed write says what happened in a person's words (the
 * disk is full) and what to do next (free space, rerun the same command to resume): the run
 * engine prints the message as it is and exits 3, with no stack.
 */
import { VolleyError } from '../errors.js';

export type JournalErrorCode = 'journal_write_failed' | 'output_write_failed' | 'journal_damaged';

/**
 * A write or sync of the journal (or of the output) failed, and nothing after it was acknowledged;
 * or a journal is damaged and its reader did not ask to skip the damage.
 */
export class JournalError extends VolleyError {
  override readonly name = 'JournalError';
  declare readonly code: JournalErrorCode;
  /** The system's error code (`ENOSPC`, `EIO`, `EDQUOT`...), when there was one. */
  readonly systemCode: string | undefined;

  constructor(
    code: JournalErrorCode,
    message: string,
    options: { cause?: unknown; systemCode?: string | undefined } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.systemCode = options.systemCode;
  }
}

/**
 * The `JournalError` for a failed write of `path`: `what` is the file's role ("the journal",
 * "the output"). Records acknowledged before the failure are safe, so a rerun resumes.
 */
export function writeFailure(
  code: 'journal_write_failed' | 'output_write_failed',
  path: string,
  what: string,
  cause: unknown,
): JournalError {
  const systemCode = (cause as NodeJS.ErrnoException | undefined)?.code;
  const happened = REASONS[systemCode ?? ''] ?? `(${(cause as Error | undefined)?.message ?? String(cause)})`;
  const next =
    systemCode === 'ENOSPC' || systemCode === 'EDQUOT' || systemCode === 'EFBIG'
      ? 'Free some space'
      : 'Fix the cause';
  return new JournalError(
    code,
    `Writing ${what} ${path} failed: ${happened}. Every record saved before this is safe. ` +
      `${next} and rerun the same command to resume.`,
    { cause, systemCode },
  );
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)',
  EDQUOT: 'the disk quota is exceeded (EDQUOT)',
  EFBIG: 'the file is larger than this file system allows (EFBIG)',
  EIO: 'the disk reported an I/O error (EIO)',
  EROFS: 'the file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EBADF: 'the file was closed (EBADF)',
};
