/** `volley flow <module> --input in.jsonl --out out.jsonl`: a flow over every input, on the run engine. */
import { loadFlow } from '../../flows/load-flow.js';
import { flowExecutor } from '../../run/executors/flow.js';
import { flowReader } from '../../run/executors/flow-reader.js';
import { parseFlags, UsageError } from '../args.js';
import {
  type ClientFlagValues,
  clientFlagOptions,
  clientFlagsUsage,
  clientFromFlags,
} from '../client-flags.js';
import { cliIdentity, engineFlagOptions, engineFlagsUsage, openInput, runCommand } from '../engine-run.js';
import type { Command } from '../io.js';

const usage = `Usage: volley flow <module.ts | module.js> --input <inputs.jsonl | -> --out <outputs.jsonl | -> [options]

Runs a flow (a module exporting one made with flow(name, fn)) once per line of the input file,
each line one JSON input. Inputs share one client, pipelined: later steps of inputs under way go
before the first steps of new ones. Each input gets one record, in input order:
{"custom_id", "line", "flow", "input", "output", "error", "usage", "cost_usd", "calls", ...}.
Finished steps are journaled, so rerunning the same command after a crash or Ctrl-C calls only
for the steps that had not finished, and an unchanged input keeps its record.

Flow:
  --input, -i FILE      inputs, one JSON value per line (required; - for stdin)
  --export NAME         the module's export to run (default: its default export, or its only flow)
  (--in-flight N: inputs in flight at once, default 16)
  --queue URL           coordinate: the flow runs here, its calls go to 'volley worker's on this Redis

${engineFlagsUsage}

${clientFlagsUsage}

Exit codes: 0 every input succeeded, 1 some failed, 2 bad usage, 3 stopped early, 4 budget
reached, 130 interrupted.`;

const options = {
  ...clientFlagOptions,
  ...engineFlagOptions,
  input: { type: 'string', short: 'i' },
  export: { type: 'string' },
  queue: { type: 'string' },
  // An older name for --in-flight, still taken.
  inputs: { type: 'string' },
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
    const input = await openInput(values.input, io);
    const target = await loadFlow(modulePath, values.export, io.cwd);
    const clientFlags = Object.fromEntries(
      Object.keys(clientFlagOptions).map((k) => [k, values[k as keyof typeof values]]),
    ) as ClientFlagValues;
    // A coordinator sends nothing itself: the workers call with their own keys.
    const client = await clientFromFlags(clientFlags, io, { offline: values.queue !== undefined });
    const queued =
      values.queue === undefined
        ? undefined
        : await (await import('../../queue/coordinator.js')).openFlowCoordinator(values.queue, {
            model: client.model,
            clock: client.volley.options.clock,
            timeout: client.volley.options.timeout,
            deadline: Number.isFinite(client.volley.options.deadline)
              ? client.volley.options.deadline
              : undefined,
          });
    try {
      if (!values.quiet)
        io.stderr.write(`flow "${target.name}" from ${modulePath} against ${client.description}\n`);
      const identity = cliIdentity(client);
      return await runCommand({
        command: 'flow',
        args,
        values: { ...values, 'in-flight': values['in-flight'] ?? values.inputs },
        io,
        client,
        identity,
        input: { name: values.input, ...input },
        reader: flowReader(target.name, { lines: true, identity }),
        executor: queued
          ? queued.wrap(flowExecutor(target, queued.volley))
          : flowExecutor(target, client.volley),
        inFlight: 16,
      });
    } finally {
      await queued?.close();
      await client.close();
    }
  },
};
