/** Flag parsing on `node:util` `parseArgs`, with errors that name the flag and say what it takes. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseDuration } from '../wire/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
>;

export function parseFlags<T extends Options>(args: readonly string[], options: T, usage: string): Parsed<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${detail}\n\n${usage}`);
  }
}

/** A whole or decimal number above 0, or undefined when the flag is absent. */
export function numberFlag(
  name: string,
  value: string | undefined,
  { integer = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${name} takes a ${integer ? 'whole ' : ''}number above 0, got '${value}'.`);
  }
  return number;
}

/** A duration such as `30s`, `500ms`, `2m` or a bare number of seconds, in milliseconds. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--${name} takes a duration such as 30s or 500ms, got '${value}'.`);
  return ms;
}
