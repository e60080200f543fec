/**
 * Flag parsing on `node:util` `parseArgs`, with messages of our own: an unknown flag gets a
 * did-you-mean, a flag missing its value says so, and `--rpm -5` reaches the range check instead of
 * being read as a flag `-5`. Values are checked with `src/options/check.ts`, like the library's.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean, OptionError, positive, wholePositive } from '../options/check.js';
import { parseDuration } from '../wire/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
>;

/** A value that starts with a dash but is not a flag: a negative number, or `-` for stdin/stdout. */
const NOT_A_FLAG = /^-(\d|\.\d|$)/;

export function parseFlags<T extends Options>(args: readonly string[], options: T, usage: string): Parsed<T> {
  // Lenient parsing gives every token, unknown ones included, so that the messages are ours.
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const more = helpHint(usage);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined)
      throw new UsageError(`Unknown flag ${token.rawName}.${suggest(token, options)}${more}`);
    const flag = `--${token.name}`;
    if (spec.type === 'boolean') {
      if (token.value !== undefined)
        throw new UsageError(`${flag} takes no value, got '${token.value}'.${more}`);
    } else if (token.value === undefined) {
      throw new UsageError(`${flag} needs a value.${more}`);
    } else if (!token.inlineValue && token.value.startsWith('-') && !NOT_A_FLAG.test(token.value)) {
      throw new UsageError(`${flag} needs a value, got the flag ${token.value}.${more}`);
    }
  }
  return { values, positionals } as unknown as Parsed<T>;
}

function suggest(token: { name: string; rawName: string }, options: Options): string {
  if (!token.rawName.startsWith('--')) return '';
  const names = Object.keys(options);
  // A prefix catches what edit distance misses: `--api-key` is `--api-key-env`.
  const near = didYouMean(token.name, names) ?? names.find((n) => n.startsWith(token.name));
  return near === undefined ? '' : ` Did you mean --${near}?`;
}

/** "Run 'volley run --help' for its flags." from a usage text that starts "Usage: volley run". */
function helpHint(usage: string): string {
  const command = /^Usage: (volley \w+)/.exec(usage)?.[1];
  return command === undefined ? `\n\n${usage}` : `\nRun '${command} --help' for its flags.`;
}

/** A whole or decimal number above 0, or undefined when the flag is absent. */
export function numberFlag(
  name: string,
  value: string | undefined,
  { integer = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (Number.isNaN(number))
    throw new OptionError(`--${name} takes a ${integer ? 'whole ' : ''}number, got '${value}'.`);
  return (integer ? wholePositive : positive)(`--${name}`, number);
}

/** A duration such as `30s`, `500ms`, `2m` or a bare number of seconds, in milliseconds. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new OptionError(`--${name} takes a duration above 0 such as 30s or 500ms, got '${value}'.`);
  return ms;
}
