/** `volley report <run> --html report.html`: one self-contained HTML page about a run. */
import { relative, resolve } from 'node:path';
import { formatCount } from '../../format/index.js';
import { readPriceFile } from '../../pricing/index.js';
import { writeReport } from '../../report/index.js';
import { ReportInputError } from '../../report/read.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley report <run> [--html report.html] [options]

Writes one self-contained HTML page (no network needed to open it) about a run: a timeline of
every call (queued, waiting for the rate limit, in flight, retry backoff, done or failed),
requests and tokens per minute against the limits, latency percentiles, 429s and retries over
time, cost by model, and the failures with their reasons.

<run> is a run record (<out>.run.jsonl, written during volley run, every invocation of it), a
flow trace (JSON), or the output (<out>.jsonl) or journal of a batch with its run record beside it.

Options:
  --html FILE           where to write the page (default: <run> with .html instead of .jsonl/.json)
  --trace FILE          a flow trace (JSON) to group the calls by step and mark the critical path
  --prices FILE         JSON {"model": {"input": 0.15, "output": 0.6}} in USD per million tokens
  --max-rows N          calls up to which the timeline has a row per call; past it,
                        calls by state with rows for the slowest and failed (default: 1000)`;

const options = {
  html: { type: 'string' },
  trace: { type: 'string' },
  prices: { type: 'string' },
  'max-rows': { type: 'string' },
} as const;

export const report: Command = {
  name: 'report',
  summary: 'write an HTML report of a run: timeline, rates against limits, latency, cost, failures',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    if (positionals.length !== 1)
      throw new UsageError(`Expected one run record, trace or journal.\n\n${usage}`);
    const input = resolve(io.cwd, positionals[0]!);
    const out = resolve(io.cwd, values.html ?? `${input.replace(/\.(jsonl|json)$/, '')}.html`);
    const prices =
      values.prices === undefined ? undefined : await readPriceFile(resolve(io.cwd, values.prices));
    let written: Awaited<ReturnType<typeof writeReport>>;
    try {
      written = await writeReport(input, out, {
        trace: values.trace === undefined ? undefined : resolve(io.cwd, values.trace),
        prices,
        maxRows: numberFlag('max-rows', values['max-rows'], { integer: true }),
      });
    } catch (error) {
      if (error instanceof ReportInputError) throw new UsageError(error.message);
      throw error;
    }
    const { totals, timeline } = written.model;
    const sampled =
      timeline.mode === 'aggregate' ? `, timeline by state with ${formatCount(timeline.shown)} rows` : '';
    io.stdout.write(
      `Wrote ${relative(io.cwd, out) || out} (${formatCount(totals.calls)} calls${sampled}, ` +
        `${formatCount(Math.ceil(written.bytes / 1024))} KB)\n`,
    );
    return EXIT.ok;
  },
};
