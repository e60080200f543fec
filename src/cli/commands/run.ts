/** `volley run <input> --out <output>`: a JSONL file of prompts through the client, resumably. */

import { resolve } from 'node:path';
import { Pricing, readPriceFile } from '../../batch/pricing.js';
import { callsReader } from '../../batch/reader.js';
import { compileTemplate } from '../../batch/template.js';
import { parseFlags, UsageError } from '../args.js';
import {
  type ClientFlagValues,
  clientFlagOptions,
  clientFlagsUsage,
  clientFromFlags,
} from '../client-flags.js';
import { cliIdentity, engineFlagOptions, engineFlagsUsage, openInput, runCommand } from '../engine-run.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';
import { modeExecutor, modeFlagOptions, modeFlagsUsage, modeTier, runMode } from '../run-mode.js';

const usage = `Usage: volley run <input.jsonl | -> --out <output.jsonl | -> [options]

Sends every line of a JSONL file and writes one Batch API-shaped record per line. Lines may be
a string, {"prompt": ...}, {"messages": [...]}, or a Batch API request line
{"custom_id", "method", "url", "body"}. Rerunning the same command resumes where it stopped.

Lines:
  --template TEXT       prompt from each line's fields, e.g. 'Summarise: {{text}}'
  --dry-run             count items, tokens, cost and the shortest duration; send nothing
                        (with --mode batch-api or auto, the cost at the Batch API price too)
                        (with --json, as one JSON object)
  --queue URL           coordinate: put the lines on this Redis for 'volley worker's to answer
                        (each with its own key) and commit their answers here

${modeFlagsUsage}

${engineFlagsUsage}

${clientFlagsUsage}

Exit codes: 0 all answered (or, with --detach, submitted), 1 some lines failed (see the errors file), 2 bad usage,
3 stopped early (bad key, unknown model, unreachable server, journal not writable), 4 budget
reached, 130 interrupted.`;

const options = {
  ...clientFlagOptions,
  ...engineFlagOptions,
  ...modeFlagOptions,
  template: { type: 'string' },
  'dry-run': { type: 'boolean' },
  queue: { type: 'string' },
  // Older names, still taken.
  window: { type: 'string' },
} as const;

export const run: Command = {
  name: 'run',
  summary: 'send every line of a JSONL file, resumably, at the rate limit',
  usage,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, options, usage);
    if (positionals.length !== 1)
      throw new UsageError(`Expected one input file (or - for stdin).\n\n${usage}`);
    const inputName = positionals[0]!;
    // A dry run counts every line: the tokenizer's tables (70 MB while they load) are loaded first,
    // while the heap is nearly empty. Loaded at the first line instead, 200,000 lines of 500 bytes
    // peaked at 165 MB RSS instead of 144 MB, and took a second longer.
    if (values['dry-run']) await (await import('../../tokens/count.js')).loadTokenizer();
    const input = await openInput(inputName, io);
    const template = values.template === undefined ? undefined : compileTemplate(values.template);
    const clientFlags = Object.fromEntries(
      Object.keys(clientFlagOptions).map((k) => [k, values[k as keyof typeof values]]),
    ) as ClientFlagValues;

    const mode = runMode(values);
    if (values['dry-run']) {
      const pricing = new Pricing(values.prices ? await readPriceFile(resolve(io.cwd, values.prices)) : {});
      const client = await clientFromFlags(clientFlags, io, { offline: true });
      // Loaded only here: a run that sends needs none of it before its first request.
      const { dryRun, formatDryRun } = await import('../../batch/dry-run.js');
      try {
        const { rpm, tpm, outputTokens } = client.volley.options;
        const report = await dryRun(input.lines(), {
          template,
          model: client.model,
          outputTokens,
          pricing,
          tier: modeTier(mode),
          rpm,
          tpm,
        });
        io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatDryRun(report, { rpm, tpm }));
        return EXIT.ok;
      } finally {
        await client.close();
      }
    }

    if (values.out === undefined) throw new UsageError(`--out is required.\n\n${usage}`);
    if (values.queue !== undefined && values.cache !== undefined)
      throw new UsageError(
        "--cache keeps the answers of this process's calls; with --queue the workers make them: pass --cache to each 'volley worker'.",
      );
    if (mode !== 'realtime' && values.queue !== undefined)
      throw new UsageError(
        `--queue sends realtime calls through workers; it does not go with --mode ${mode}.`,
      );
    // A coordinator sends nothing itself: the workers call with their own keys.
    const client = await clientFromFlags(clientFlags, io, { offline: values.queue !== undefined });
    const queued =
      values.queue === undefined
        ? undefined
        : await (await import('../../queue/coordinator.js')).openCoordinator(values.queue, {
            model: client.model,
            timeout: client.volley.options.timeout,
            deadline: Number.isFinite(client.volley.options.deadline)
              ? client.volley.options.deadline
              : undefined,
          });
    try {
      const { concurrency, maxConcurrency } = client.volley.options;
      const chosen = queued ? undefined : await modeExecutor(mode, client, values);
      const identity = cliIdentity(client);
      return await runCommand({
        command: 'run',
        args,
        values: { ...values, 'in-flight': values['in-flight'] ?? values.window },
        io,
        client,
        identity,
        input: { name: inputName, ...input },
        reader: callsReader({ template, model: client.model, identity }),
        executor: queued?.executor ?? chosen!.executor,
        inFlight: chosen?.inFlight ?? Math.max(1024, 2 * (concurrency ?? maxConcurrency)),
      });
    } finally {
      await queued?.close();
      await client.close();
    }
  },
};
