/**
 * The end of a run on the terminal: the summary on stdout, and when it stopped early the reason
 * and the command that resumes it on stderr. Returns the exit code, as `exitCodeForRun` maps it.
 */

import { relative } from 'node:path';
import type { BatchSummary } from '../../batch/summary.js';
import { formatSummary } from '../../batch/summary.js';
import { exitCodeForRun } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export function reportRun(summary: BatchSummary, args: readonly string[], io: CliIO): number {
  const show = (path: string | undefined) => path && relative(io.cwd, path);
  const { out, errors, journal } = summary.files;
  io.stdout.write(
    formatSummary({ ...summary, files: { out: show(out)!, errors: show(errors), journal: show(journal) } }),
  );
  const anyFailed = (['failed', 'invalid', 'duplicate'] as const).some(
    (k) => summary.counts[k] + summary.earlier[k] > 0,
  );
  const code = exitCodeForRun(summary.outcome, anyFailed);
  if (summary.outcome === 'completed') return code;
  if (summary.outcome === 'fatal') io.stderr.write(`volley: ${summary.reason}\n`);
  // `--force` would start over rather than resume.
  const again = args
    .filter((a) => a !== '--force')
    .map(shellQuote)
    .join(' ');
  io.stderr.write(`Resume with: volley run ${again}\n`);
  return code;
}

function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
