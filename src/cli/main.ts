#!/usr/bin/env node
/** The `volley` command: picks a command by name, runs it, and maps what escapes it to an exit code. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { redactSecrets } from '../providers/shared.js';
import { UsageError } from './args.js';
import { commands } from './commands/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${await version()}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`Unknown command '${name}'.\n\n${help()}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const secrets = [io.env['OPENAI_API_KEY'], io.env['ANTHROPIC_API_KEY']].filter((s): s is string => !!s);
    io.stderr.write(`volley: ${redactSecrets(message, secrets)}\n`);
    return exitCodeFor(error);
  }
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: volley <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'volley <command> --help' for a command's options.\n`;
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
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    // The first Ctrl-C stops new work and lets calls in flight finish; the second quits at once.
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`volley: ${String(error)}\n`);
      process.exitCode = EXIT.fatal;
    },
  );
}
