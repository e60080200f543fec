/**
 * Every command of the CLI: its name, its line in `volley --help`, and how to load it. A command's
 * module (and everything it imports: SDKs, the simulator, the batch engine) is loaded only when
 * that command runs, so `volley --help` and `volley --version` load nothing heavy.
 */
import type { Command } from '../io.js';

export interface CommandEntry {
  readonly name: string;
  /** One line for `volley --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'send every line of a JSONL file, resumably, at the rate limit',
    load: async () => (await import('./run.js')).run,
  },
  {
    name: 'flow',
    summary: 'run a prompt-chain flow over every line of a JSONL file',
    load: async () => (await import('./flow.js')).flowCommand,
  },
  {
    name: 'sim',
    summary: 'serve the built-in simulator (OpenAI- and Anthropic-compatible)',
    load: async () => (await import('./sim.js')).sim,
  },
  {
    name: 'demo',
    summary: 'concurrent calls, a chain and a rate-limited batch against the simulator',
    load: async () => (await import('./demo.js')).demo,
  },
  {
    name: 'report',
    summary: 'write an HTML report of a run: timeline, rates against limits, latency, cost, failures',
    load: async () => (await import('./report.js')).report,
  },
  {
    name: 'status',
    summary: "print a run's progress, rates, 429s, failures and spend from its record or journal",
    load: async () => (await import('./status.js')).status,
  },
  {
    name: 'cache',
    summary: 'clear a response cache made with --cache DIR (all entries, or --older-than 7d)',
    load: async () => (await import('./cache.js')).cache,
  },
  {
    name: 'worker',
    summary: 'answer the calls that runs with --queue put on Redis, sharing one rate limit',
    load: async () => (await import('./worker.js')).worker,
  },
];
