#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=100
/**
 * The `volley` command: picks a command by name, loads and runs it, and maps what escapes it to an
 * exit code. Kept light: `--help` and `--version` load no command and nothing heavy.
 *
 * The young generation is capped at 4 MB a semispace (V8 grows it to 16 MB). A run's live heap is
 * about 12 MB, but each call leaves some 120 KB of garbage in the SDK and the HTTP stack, and at
 * 16 MB the two semispaces alone took 32 MB of the peak: 200,000 lines over HTTP against
 * `volley sim` peaked at 158-164 MB, and at 134-140 MB with this cap. The price is more
 * scavenges: 25-40% more CPU when the client itself is the bottleneck (`volley sim` at 5 ms
 * answering 2,500 calls/s), nothing that shows against a provider's rate limits.
 *
 * The old generation may grow to twice what the last full collection left, not up to four times
 * (V8's own choice when its collections are fast): what the per-call garbage that outlives two
 * scavenges piles up to before the next one. 200,000 lines over HTTP peaked at 164-172 MB without
 * the cap (128-134 MB in some runs: when V8 first collects varies), at 101 MB with it; 1,000,000
 * lines with a tokens budget at 121, 147 and 138 MB (fresh, resume, unchanged rerun) without it,
 * at 95, 124 and 133 MB with it, and as many lines a second. `env -S` splits the line on Linux and
 * macOS, and npm's Windows shims read it. The library is not affected.
 *
 * The flags cost start-up time: any heap flag changes V8's flag hash, Node then rejects the code
 * cache of its own built-in modules and compiles those it loads from source. A one-line run sends
 * its request 35-45 ms later (`globalThis.Headers`, which the SDK builds every request with, loads
 * in 61 ms instead of 32). Setting them once the first request is out (`v8.setFlagsFromString`)
 * does not work for the young generation, whose cap V8 fixes when it starts: with only the old
 * generation's growth set then, 1,000,000 lines rerun with nothing changed peaked at 156 MB (161
 * with no flags at all); freezing the young generation's growth then kept it below the cap, and
 * the fresh million-line run went at 21,000 lines/s instead of 35,000.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { didYouMean } from '../options/check.js';
import { redactSecrets } from '../providers/shared.js';
import { UsageError } from './args.js';
import { type CommandEntry, commands } from './commands/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';
import { stopSignals } from './signals.js';

/** Runs one command line; `table` is injected by tests that need a command of their own. */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  table: readonly CommandEntry[] = commands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${await version()}\n`);
    return EXIT.ok;
  }
  try {
    const entry = table.find((c) => c.name === name);
    if (!entry) throw new UsageError(unknownCommand(name));
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    const secrets = secretsIn(argv, io.env);
    const say = (text: string) => io.stderr.write(`${redactSecrets(text, secrets)}\n`);
    const message = error instanceof Error ? error.message : String(error);
    if (code !== EXIT.internal) {
      say(`volley: ${message}`);
    } else {
      say(`volley: internal error: ${message}`);
      say(`This is a bug in Volley, please report it with the command: volley ${argv.join(' ')}`);
      const stack = error instanceof Error ? error.stack : undefined;
      if (io.env['VOLLEY_DEBUG'] === '1' && stack) say(stack);
      else say('(Set VOLLEY_DEBUG=1 to see where it happened.)');
    }
    return code;
  }
}

/** The keys this command line may use, so that no message shows one. */
function secretsIn(argv: readonly string[], env: CliIO['env']): string[] {
  const names = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'];
  argv.forEach((arg, i) => {
    if (arg === '--api-key-env' && argv[i + 1]) names.push(argv[i + 1]!);
    else if (arg.startsWith('--api-key-env=')) names.push(arg.slice('--api-key-env='.length));
  });
  return names.map((name) => env[name]).filter((key): key is string => !!key);
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: volley <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'volley <command> --help' for a command's options.\n`;
}

function unknownCommand(name: string): string {
  const near = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  const hint = near === undefined ? '' : ` Did you mean '${near}'?`;
  return `Unknown command '${name}'.${hint}\n\n${help()}`;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs when this file is the process's entry point (the `volley` bin), not when imported by tests. */
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const stops = stopSignals(process, {
    write: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  });
  // A reader that went away (`volley sim | head`) is not our failure; `volley run --out -` stops
  // on it by itself (its record stream fails), and every other command has nothing more to say.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`volley: cannot write to stdout: ${error.message}\n`);
    process.exitCode ||= EXIT.internal;
  });
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: stops.signal,
    hardSignal: stops.hardSignal,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      stops.dispose();
      process.exitCode = code;
      // After a second Ctrl-C the summary is out; whatever still holds the process open should not.
      if (stops.hardSignal.aborted) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`volley: internal error: ${String(error)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
