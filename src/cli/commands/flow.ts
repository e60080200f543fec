/** `volley flow <module> --input in.jsonl --out out.jsonl`: a flow over every input, pipelined on one client. */
import { open, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { batchPaths } from '../../batch/paths.js';
import { readFileLines } from '../../batch/read-lines.js';
import { loadFlow } from '../../flows/load-flow.js';
import { formatDuration } from '../../format/index.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import {
  type ClientFlagValues,
  clientFlagOptions,
  clientFlagsUsage,
  clientFromFlags,
} from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';
import { startRecording } from '../run-record.js';

const usage = `Usage: volley flow <module.ts | module.js> --input <inputs.jsonl> --out <outputs.jsonl> [options]

Runs a flow (a module exporting one made with flow(name, fn)) once per line of the input file,
each line one JSON input. Inputs share one client, pipelined: later steps of inputs under way go
before the first steps of new ones. Each finished input is written as it ends:
{"index", "input", "output"} or {"index", "input", "error"}. Steps are journaled, so rerunning
the same command after a crash or Ctrl-C calls only for the steps that had not finished.

Flow:
  --input, -i FILE      inputs, one JSON value per line (required)
  --out, -o FILE        outputs, one JSON line per input, in the order they finish (required)
  --export NAME         the module's export to run (default: its default export, or its only flow)
  --journal FILE        step journal (default: results.journal.jsonl for --out results.jsonl)
  --report              also write results.report.html at the end (the run record
                        results.run.jsonl is always written)
  --force               start over: delete the journal first
  --inputs N            inputs in flight at once (default: 16)

${clientFlagsUsage}

Exit codes: 0 every input succeeded, 1 some failed, 2 bad usage, 3 stopped early, 130 interrupted.`;

const options = {
  ...clientFlagOptions,
  input: { type: 'string', short: 'i' },
  out: { type: 'string', short: 'o' },
  export: { type: 'string' },
  journal: { type: 'string' },
  force: { type: 'boolean' },
  inputs: { type: 'string' },
  report: { type: 'boolean' },
} as const;

export const flowCommand: Command = {
  name: 'flow',
  summary: 'run a prompt-chain flow over every line of a JSONL file',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    const [modulePath, ...extra] = positionals;
    if (modulePath === undefined || extra.length > 0)
      throw new UsageError(`Expected one flow module, got ${positionals.length}.\n\n${usage}`);
    if (!values.input || !values.out) throw new UsageError(`--input and --out are required.\n\n${usage}`);
    const concurrency = numberFlag('inputs', values.inputs, { integer: true });
    const target = await loadFlow(modulePath, values.export, io.cwd);
    const paths = batchPaths(
      resolve(io.cwd, values.out),
      false,
      values.journal && resolve(io.cwd, values.journal),
    );
    const journal = paths.journal!;
    if (values.force) await rm(journal, { force: true });

    const client = await clientFromFlags(values as ClientFlagValues, io);
    const out = await open(paths.out, 'w');
    const recording = await startRecording(client, io, {
      stem: paths.stem,
      command: ['volley', 'flow', ...args].join(' '),
      fresh: values.force,
    });
    try {
      if (!values.quiet)
        io.stderr.write(`flow "${target.name}" from ${modulePath} against ${client.description}\n`);
      const started = performance.now();
      const tally = { ok: 0, failed: 0, calls: 0, cached: 0, rounds: 0 };
      const inputs = readInputs(resolve(io.cwd, values.input), values.input);
      for await (const result of target.batch(inputs, {
        volley: client.volley,
        journal,
        signal: io.signal,
        concurrency,
      })) {
        const { index, input } = result;
        const line = result.ok
          ? { index, input, output: result.output }
          : { index, input, error: result.error };
        await out.write(`${JSON.stringify(line)}\n`);
        if (result.ok) {
          tally.ok++;
          tally.calls += result.summary.calls;
          tally.cached += result.summary.cachedSteps;
          tally.rounds = Math.max(tally.rounds, result.summary.roundTrips);
        } else {
          tally.failed++;
          if (!values.quiet) io.stderr.write(`input ${index + 1}: ${result.error.message}\n`);
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const parts = [
        `${tally.ok + tally.failed} inputs`,
        `${tally.ok} ok`,
        `${tally.failed} failed`,
        `${tally.calls} calls`,
        `up to ${tally.rounds} round trips per input`,
        formatDuration(seconds * 1000),
        `${(tally.calls / Math.max(seconds, 1e-3)).toFixed(1)} calls/s`,
      ];
      if (tally.cached > 0) parts.push(`${tally.cached} steps from the journal`);
      io.stderr.write(`flow "${target.name}": ${parts.join(' · ')}\n`);
      await recording.close();
      if (values.report) await recording.writeReport();
      if (io.signal.aborted) return EXIT.interrupted;
      return tally.failed > 0 ? EXIT.itemsFailed : EXIT.ok;
    } finally {
      await recording.close();
      await out.close();
      await client.close();
    }
  },
};

/** One JSON value per non-blank line, read as the batch asks for the next input. */
async function* readInputs(path: string, shown: string): AsyncGenerator<unknown> {
  let number = 0;
  for await (const line of readFileLines(path)) {
    number++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (error) {
      throw new Error(`${shown} line ${number} is not JSON: ${(error as Error).message}`);
    }
  }
}
