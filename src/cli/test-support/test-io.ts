/** A `CliIO` for running commands in-process: what they print is kept, nothing touches the terminal. */
import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../io.js';

export interface TestIO extends CliIO {
  out(): string;
  err(): string;
}

export function testIO(
  options: {
    readonly cwd?: string;
    readonly env?: Record<string, string>;
    readonly signal?: AbortSignal;
    readonly hardSignal?: AbortSignal;
    readonly stdin?: readonly string[];
  } = {},
): TestIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  return {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin ?? []),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    hardSignal: options.hardSignal,
    out: () => out,
    err: () => err,
  };
}
