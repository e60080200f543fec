/**
 * What `volley run` and `volley flow` share: the run engine's flags (output, journal, order,
 * resume, budget, grace, ...), the files they name, the live bar, the run record, and the end of
 * the run (the summary, the resume hint, the exit code). Each command only says how its lines are
 * read and who answers them.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { countLines, readFileLines, readLines } from '../batch/read-lines.js';
import { withCeilings } from '../batch/run-batch.js';
import { formatSummary } from '../batch/summary.js';
import { formatCount, formatUsd } from '../format/index.js';
import { oneOf } from '../options/check.js';
import { Pricing, readPriceFile } from '../pricing/index.js';
import { runEngine } from '../run/engine.js';
import { RunError } from '../run/errors.js';
import { checkFolders, runPaths } from '../run/files.js';
import type { EndpointIdentity } from '../run/identity.js';
import type { RunSummary } from '../run/summary.js';
import type { Executor, ItemReader } from '../run/types.js';
import { durationFlag, numberFlag, UsageError } from './args.js';
import type { CliClient } from './client-flags.js';
import { exitCodeForRun } from './exit-codes.js';
import type { CliIO } from './io.js';
import { startProgress } from './progress/progress.js';
import { startRecording } from './run-record.js';

export const engineFlagOptions = {
  out: { type: 'string', short: 'o' },
  errors: { type: 'string' },
  journal: { type: 'string' },
  order: { type: 'string' },
  resume: { type: 'boolean' },
  force: { type: 'boolean' },
  'rerun-changed': { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
  'max-cost': { type: 'string' },
  'max-tokens': { type: 'string' },
  prices: { type: 'string' },
  grace: { type: 'string' },
  'in-flight': { type: 'string' },
  report: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const engineFlagsUsage = `Output and resume:
  --out, -o FILE        output JSONL, one record per input line, in input order (- for stdout)
  --errors FILE         failed and bad lines again (default: <out>.errors.jsonl)
  --journal FILE        durable journal for resuming (default: <out>.journal.jsonl; none with
                        --out - unless given, and then it keeps the records themselves)
  --order input|completion   output order (default: input)
  --resume              insist on resuming (fail when there is no journal)
  --force               start over, replacing the output and the journal
  --rerun-changed       resume against another endpoint (server, key, model, simulator) than
                        the journal's: the lines whose request differs under it are sent again
  --retry-failed        send again the lines whose last record is a failure
  --max-cost USD        stop starting lines before the whole run's estimated cost would pass this
  --max-tokens N        the same for prompt + completion tokens (both count every invocation)
  --prices FILE         JSON {"model": {"input": 0.15, "output": 0.6}} in USD per million tokens
  --grace 10s           on Ctrl-C, how long items in flight get to finish (a second Ctrl-C: none)
  --in-flight N         items read ahead of the answers, at most
  --json                print the summary as one JSON object
  --report              also write <out>.report.html at the end (the run record <out>.run.jsonl
                        is always written; 'volley report' and 'volley status' read it)

While a run goes, its records are written to <out>.partial; the output is replaced by it when the
run ends or stops, so the output is never half-written. Rerunning the same command resumes: lines
whose request is unchanged keep their record, edited lines are sent again, and lines no longer in
the input leave the output.`;

export type EngineFlagValues = {
  [K in keyof typeof engineFlagOptions]?: (typeof engineFlagOptions)[K] extends { type: 'boolean' }
    ? boolean
    : string;
};

/** The input named on the command line: a file (checked now, exit 2 with the system's reason) or stdin. */
export async function openInput(
  input: string,
  io: CliIO,
): Promise<{ lines: () => AsyncIterable<unknown>; total: number | undefined; path: string | undefined }> {
  if (input === '-') {
    return {
      lines: () => readLines(io.stdin as Readable as AsyncIterable<Buffer>),
      total: undefined,
      path: undefined,
    };
  }
  const path = resolve(io.cwd, input);
  try {
    await access(path, constants.R_OK);
    if ((await stat(path)).isDirectory())
      throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
  } catch (error) {
    throw new UsageError(`Cannot read the input ${input}: ${systemReason(error)}.`);
  }
  return { lines: () => readFileLines(path), total: await countLines(path), path };
}

function systemReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
    EPERM: 'operation not permitted',
  };
  return code && reasons[code] ? `${reasons[code]} (${code})` : message;
}

/** What answers the run, for the journal. The built-in simulator listens on a new port each time: its address says nothing. */
export function cliIdentity(client: CliClient): EndpointIdentity {
  const { identity } = client;
  return identity.simulator ? { ...identity, baseURL: null, keyFingerprint: null } : identity;
}

export interface EngineCommand<P> {
  /** `run` or `flow`: for the resume hint. */
  readonly command: string;
  readonly args: readonly string[];
  readonly values: EngineFlagValues & { readonly quiet?: boolean | undefined };
  readonly io: CliIO;
  readonly client: CliClient;
  readonly identity: EndpointIdentity;
  readonly input: {
    readonly name: string;
    lines(): AsyncIterable<unknown>;
    readonly total: number | undefined;
  };
  readonly reader: ItemReader<P>;
  readonly executor: Executor<P>;
  /** Default for `--in-flight`. */
  readonly inFlight: number;
}

/** Runs the command's lines on the engine and ends the run on the terminal; returns the exit code. */
export async function runCommand<P>(spec: EngineCommand<P>): Promise<number> {
  const { values, io, client } = spec;
  if (values.out === undefined) throw new UsageError('--out is required (a file, or - for stdout).');
  const order = flagChoice('order', values.order, ['input', 'completion'] as const);
  const budget = {
    maxCostUsd: numberFlag('max-cost', values['max-cost']),
    maxTokens: numberFlag('max-tokens', values['max-tokens']),
  };
  const pricing = new Pricing(values.prices ? await readPriceFile(resolve(io.cwd, values.prices)) : {});
  if (budget.maxCostUsd !== undefined && !pricing.price(client.model)) {
    throw new UsageError(
      `--max-cost needs a price for ${client.model}: pass --prices FILE with {"${client.model}": {"input": ..., "output": ...}}.`,
    );
  }
  const toStdout = values.out === '-';
  const out = toStdout ? undefined : resolve(io.cwd, values.out);
  const paths = runPaths(
    out,
    values.errors && resolve(io.cwd, values.errors),
    values.journal && resolve(io.cwd, values.journal),
  );
  // Before the run record is opened beside them.
  await checkFolders(paths).catch((error: RunError) => {
    throw new UsageError(error.message);
  });
  // With the records on stdout, everything else goes to stderr.
  const tell = toStdout ? io.stderr : io.stdout;
  const stem = paths.stem ?? paths.journal?.replace(/(\.journal)?\.jsonl$/i, '');
  const recording =
    stem === undefined
      ? undefined
      : await startRecording(client, io, {
          stem,
          command: ['volley', spec.command, ...spec.args].join(' '),
          total: spec.input.total,
          fresh: values.force,
        });
  const progress = await startProgress(io, client.volley, { quiet: values.quiet });
  let summary: RunSummary;
  try {
    summary = await runEngine({
      source: spec.input.lines(),
      reader: spec.reader,
      executor: spec.executor,
      clock: client.volley.options.clock,
      out: toStdout ? io.stdout : out,
      errors: paths.errors ?? false,
      journal: paths.journal ?? false,
      order,
      resume: values.resume,
      force: values.force,
      rerunChanged: values['rerun-changed'],
      retryFailed: values['retry-failed'],
      budget,
      pricing,
      outputTokens: client.volley.options.outputTokens,
      identity: spec.identity,
      inFlight: numberFlag('in-flight', values['in-flight'], { integer: true }) ?? spec.inFlight,
      signal: io.signal,
      hardSignal: io.hardSignal,
      graceMs: durationFlag('grace', values.grace) ?? 10_000,
      total: spec.input.total,
      inputName: spec.input.name,
      onStart: (tally) => progress.attach(tally),
      onStatus: (status) => progress.status(status),
    });
  } catch (error) {
    if (error instanceof RunError && error.usage) throw new UsageError(error.message);
    throw error;
  } finally {
    progress.stop();
    await recording?.close();
  }
  summary = withCeilings(summary, client.volley);
  endOfRun(summary, spec, tell);
  if (values.report && recording) await recording.writeReport();
  return exitCodeForRun(summary.outcome, summary.anyItemFailed);
}

function flagChoice<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  try {
    return oneOf(`--${name}`, value, choices);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The summary (text or JSON), what a resume found, and how to go on when the run stopped early. */
function endOfRun<P>(summary: RunSummary, spec: EngineCommand<P>, tell: NodeJS.WritableStream): void {
  const { io, values } = spec;
  if (values.json) {
    tell.write(`${JSON.stringify(summary)}\n`);
  } else {
    const show = (path: string | undefined) => path && relative(io.cwd, path);
    const { out, errors, journal } = summary.files;
    tell.write(
      formatSummary({
        ...summary,
        files: { out: show(out) ?? '(stdout)', errors: show(errors), journal: show(journal) },
      }),
    );
    tell.write(resumeLines(summary));
  }
  for (const warning of summary.warnings) io.stderr.write(`volley: ${warning}\n`);
  if (summary.outcome === 'completed') return;
  if (summary.outcome === 'fatal') io.stderr.write(`volley: ${summary.reason}\n`);
  if (summary.files.journal === undefined) {
    io.stderr.write(
      'No journal was kept (--out - keeps none without --journal FILE): a rerun sends every line again.\n',
    );
    return;
  }
  (summary.outcome === 'detached' ? tell : io.stderr).write(resumeHint(summary, spec));
}

/** What this invocation found against the journal, when it was a resume. */
function resumeLines(s: RunSummary): string {
  const r = s.resume;
  const lines: string[] = [];
  if (s.invocation > 1) {
    lines.push(
      `  resume     invocation ${s.invocation}: ${formatCount(r.new)} new, ${formatCount(r.changed)} changed, ${formatCount(r.unchanged)} unchanged, ${formatCount(r.dropped)} dropped lines`,
    );
  }
  if (r.identityChanges.length > 0) lines.push(`  endpoint   changed (${r.identityChanges.join('; ')})`);
  if (r.retried > 0) lines.push(`  retried    ${formatCount(r.retried)} lines that had failed`);
  if (r.failedKept > 0)
    lines.push(
      `  failed     ${formatCount(r.failedKept)} lines kept their failure from an earlier run; --retry-failed sends them again`,
    );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The command that goes on; for a budget, the limit to raise (it caps the whole run, not one invocation). */
function resumeHint<P>(s: RunSummary, spec: EngineCommand<P>): string {
  const args = spec.args.filter((a) => a !== '--force');
  if (s.outcome === 'detached')
    return `The batches go on without this process. Collect the answers with the same command: volley ${spec.command} ${args.map(shellQuote).join(' ')}\n`;
  if (s.outcome !== 'budget' || !s.budget)
    return `Resume with: volley ${spec.command} ${args.map(shellQuote).join(' ')}\n`;
  const { reached, remaining, spentUsd, spentTokens, limits } = s.budget;
  const cost = reached !== 'tokens';
  const flag = cost ? '--max-cost' : '--max-tokens';
  const spent = cost ? spentUsd : spentTokens;
  const limit = cost ? limits.maxCostUsd : limits.maxTokens;
  const more = remaining && (cost ? remaining.usd : remaining.tokens);
  // Enough for what is left, by the answers so far, with a tenth to spare.
  const raise = more === undefined ? undefined : round((spent + more) * 1.1, cost);
  const show = (n: number) => (cost ? formatUsd(n) : formatCount(Math.ceil(n)));
  const where = `${flag} caps the whole run: ${show(spent)} of ${limit === undefined ? '–' : show(limit)} spent`;
  const left = remaining
    ? `; about ${show(more!)} more would finish the ${formatCount(remaining.lines)} lines left`
    : '';
  const suggested = raise ?? round(Math.max(spent * 2, limit ?? 0), cost);
  const withRaise = replaceFlag(args, flag, String(suggested)).map(shellQuote).join(' ');
  return `${where}${left}.\nResume with a higher limit: volley ${spec.command} ${withRaise}\n`;
}

function replaceFlag(args: readonly string[], flag: string, value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) {
      i++;
      continue;
    }
    if (args[i]!.startsWith(`${flag}=`)) continue;
    out.push(args[i]!);
  }
  return [...out, flag, value];
}

function round(value: number, money: boolean): number {
  if (!money) return Math.ceil(value);
  const digits = value >= 1 ? 2 : Math.max(2, 1 - Math.floor(Math.log10(Math.max(value, 1e-9))) + 1);
  return Number(value.toFixed(Math.min(digits, 8)));
}

function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
