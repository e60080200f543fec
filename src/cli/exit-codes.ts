/**
 * The one place that turns outcomes into exit codes; the README documents the same table.
 * Commands return these, and `main` maps any error that escapes a command.
 */
import { VolleyError } from '../errors.js';
import { OptionError } from '../options/check.js';
import type { RunError } from '../run/errors.js';
import { UsageError } from './args.js';

export const EXIT = {
  /** Everything succeeded. */
  ok: 0,
  /** The run finished but some items failed; see the errors file. */
  itemsFailed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** The run stopped early: bad API key, unknown model, exhausted quota, unreadable input. */
  fatal: 3,
  /** `--max-cost` or `--max-tokens` was reached; unfinished items can be resumed. */
  budget: 4,
  /** A bug in Volley (like sysexits' EX_SOFTWARE): please report it. */
  internal: 70,
  /** Interrupted (Ctrl-C); rerun the same command to resume. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a run that returned (rather than threw) ended, as the exit code the README documents. */
export type RunOutcome = 'completed' | 'interrupted' | 'budget' | 'fatal' | 'detached';

export function exitCodeForRun(outcome: RunOutcome, anyItemFailed: boolean): ExitCode {
  if (outcome === 'completed') return anyItemFailed ? EXIT.itemsFailed : EXIT.ok;
  // Handed to a provider's Batch API with --detach: rerunning the command collects the answers.
  if (outcome === 'detached') return EXIT.ok;
  if (outcome === 'interrupted') return EXIT.interrupted;
  return outcome === 'budget' ? EXIT.budget : EXIT.fatal;
}

/**
 * The code for an error that escaped a command. Only usage errors are 2; the machine's own errors
 * (a full disk, a permission) are 3 with the system's reason; anything else Volley did not expect
 * is a bug (70), which `main` reports as one.
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof OptionError) return EXIT.usage;
  // Told by its name, so that start-up does not load the run engine for the class.
  if (error instanceof Error && error.name === 'RunError')
    return (error as RunError).usage ? EXIT.usage : EXIT.fatal;
  if (error instanceof VolleyError) {
    if (error.code === 'aborted') return EXIT.interrupted;
    if (error.code === 'budget_exceeded') return EXIT.budget;
    return EXIT.fatal;
  }
  if (error instanceof Error && error.name === 'AbortError') return EXIT.interrupted;
  if (isSystemError(error)) return EXIT.fatal;
  return EXIT.internal;
}

/** An error from the operating system (`ENOSPC`, `EACCES`, ...), as Node raises them. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}
