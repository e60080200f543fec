/** `volley run <input> --out <output>`: a JSONL file of prompts through the client, resumably. */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dryRun, formatDryRun } from '../../batch/dry-run.js';
import { BatchError } from '../../batch/errors.js';
import { batchPaths } from '../../batch/paths.js';
import { Pricing, readPriceFile } from '../../batch/pricing.js';
import { countLines, readFileLines, readLines } from '../../batch/read-lines.js';
import { runBatch } from '../../batch/run-batch.js';
import type { BatchSummary } from '../../batch/summary.js';
import { compileTemplate } from '../../batch/template.js';
import { durationFlag, numberFlag, parseFlags, UsageError } from '../args.js';
import {
  type ClientFlagValues,
  clientFlagOptions,
  clientFlagsUsage,
  clientFromFlags,
} from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';
import { startProgress } from '../progress/progress.js';
import { reportRun } from '../progress/report.js';
import { startRecording } from '../run-record.js';

const usage = `Usage: volley run <input.jsonl | -> --out <output.jsonl> [options]

Sends every line of a JSONL file and writes one Batch API-shaped record per line. Lines may be
a string, {"prompt": ...}, {"messages": [...]}, or a Batch API request line
{"custom_id", "method", "url", "body"}. Rerunning the same command resumes where it stopped.

Batch:
  --out, -o FILE        output JSONL (required unless --dry-run)
  --errors FILE         failed and bad lines again (default: <out>.errors.jsonl)
  --journal FILE        durable journal for resuming (default: <out>.journal.jsonl)
  --order input|completion   output order (default: input)
  --template TEXT       prompt from each line's fields, e.g. 'Summarise: {{text}}'
  --resume              insist on resuming (fail when there is no journal)
  --force               start over, replacing the output and the journal
  --max-cost USD        stop starting items before the estimated cost would pass this
  --max-tokens N        stop starting items before prompt + completion tokens would pass this
  --prices FILE         JSON {"model": {"input": 0.15, "output": 0.6}} in USD per million tokens
  --dry-run             count items, tokens, cost and the shortest duration; send nothing
  --grace 10s           on Ctrl-C, how long calls in flight get to finish
  --window N            items read ahead of the answers, at most (default: 1024, or 2 x --concurrency)
  --report              also write <out>.report.html at the end (the run record <out>.run.jsonl
                        is always written; 'volley report' and 'volley status' read it)

${clientFlagsUsage}

Exit codes: 0 all answered, 1 some lines failed (see the errors file), 2 bad usage,
3 stopped early (bad key, unknown model, unreadable input), 4 budget reached, 130 interrupted.`;

const options = {
  ...clientFlagOptions,
  out: { type: 'string', short: 'o' },
  errors: { type: 'string' },
  journal: { type: 'string' },
  order: { type: 'string' },
  template: { type: 'string' },
  resume: { type: 'boolean' },
  force: { type: 'boolean' },
  'max-cost': { type: 'string' },
  'max-tokens': { type: 'string' },
  prices: { type: 'string' },
  'dry-run': { type: 'boolean' },
  grace: { type: 'string' },
  window: { type: 'string' },
  report: { type: 'boolean' },
} as const;

export const run: Command = {
  name: 'run',
  summary: 'send every line of a JSONL file, resumably, at the rate limit',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    if (positionals.length !== 1)
      throw new UsageError(`Expected one input file (or - for stdin).\n\n${usage}`);
    const input = positionals[0]!;
    const inputPath = input === '-' ? undefined : resolve(io.cwd, input);
    if (inputPath)
      await access(inputPath).catch(() => Promise.reject(new UsageError(`Cannot read the input ${input}.`)));
    const order = values.order ?? 'input';
    if (order !== 'input' && order !== 'completion')
      throw new UsageError(`--order takes input or completion, got '${order}'.`);
    const template = values.template === undefined ? undefined : compileTemplate(values.template);
    const pricing = new Pricing(values.prices ? await readPriceFile(resolve(io.cwd, values.prices)) : {});
    const clientFlags = Object.fromEntries(
      Object.keys(clientFlagOptions).map((k) => [k, values[k as keyof typeof values]]),
    );
    const lines = () => (inputPath ? readFileLines(inputPath) : readLines(io.stdin as AsyncIterable<Buffer>));

    if (values['dry-run']) {
      const client = await clientFromFlags(clientFlags as ClientFlagValues, io, { offline: true });
      try {
        const { rpm, tpm, outputTokens } = client.volley.options;
        const report = await dryRun(lines(), {
          template,
          model: client.model,
          outputTokens,
          pricing,
          rpm,
          tpm,
        });
        io.stdout.write(formatDryRun(report, { rpm, tpm }));
        return EXIT.ok;
      } finally {
        await client.close();
      }
    }

    if (values.out === undefined) throw new UsageError(`--out is required.\n\n${usage}`);
    const budget = {
      maxCostUsd: numberFlag('max-cost', values['max-cost']),
      maxTokens: numberFlag('max-tokens', values['max-tokens']),
    };
    const graceMs = durationFlag('grace', values.grace) ?? 10_000;
    const window = numberFlag('window', values.window, { integer: true });
    const client = await clientFromFlags(clientFlags as ClientFlagValues, io);
    try {
      if (budget.maxCostUsd !== undefined && !pricing.price(client.model)) {
        throw new UsageError(
          `--max-cost needs a price for ${client.model}: pass --prices FILE with {"${client.model}": {"input": ..., "output": ...}}.`,
        );
      }
      const out = resolve(io.cwd, values.out);
      const paths = batchPaths(
        out,
        values.errors && resolve(io.cwd, values.errors),
        values.journal && resolve(io.cwd, values.journal),
      );
      const total = inputPath ? await countLines(inputPath) : undefined;
      const recording = await startRecording(client, io, {
        stem: paths.stem,
        command: ['volley', 'run', ...args].join(' '),
        total,
        fresh: values.force,
      });
      const progress = startProgress(io, client.volley, { quiet: values.quiet });
      let summary: BatchSummary;
      try {
        summary = await runBatch(lines(), {
          volley: client.volley,
          out,
          errors: paths.errors,
          journal: paths.journal,
          order,
          template,
          resume: values.resume,
          force: values.force,
          budget,
          pricing,
          window,
          graceMs,
          signal: io.signal,
          total,
          inputName: input,
          onStart: (stats) => progress.attach(stats),
        });
      } catch (error) {
        if (error instanceof BatchError && error.code !== 'journal_corrupt')
          throw new UsageError(error.message);
        throw error;
      } finally {
        progress.stop();
        await recording.close();
      }
      const code = reportRun(summary, args, io);
      if (values.report) await recording.writeReport();
      return code;
    } finally {
      await client.close();
    }
  },
};
