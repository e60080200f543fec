/** A `CliIO` for running commands in-process, with what they printed. */
import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../cli/io.js';

export interface TestIO extends CliIO {
  out(): string;
  err(): string;
}

export function testIO(
  cwd: string,
  env: Record<string, string | undefined>,
  signals: { signal?: AbortSignal; hardSignal?: AbortSignal } = {},
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
    stdin: Readable.from([]),
    env,
    cwd,
    signal: signals.signal ?? new AbortController().signal,
    hardSignal: signals.hardSignal,
    out: () => out,
    err: () => err,
  };
}
