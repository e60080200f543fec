/**
 * The one way options are checked, for the client, the providers, the simulator, the recorder and
 * the CLI: unknown names get a did-you-mean, bad values an `OptionError` that names the option,
 * says what it takes and what it got. An `OptionError` is a usage error (exit 2 on the CLI); any
 * other `TypeError` escaping Volley is a bug.
 */

export class OptionError extends TypeError {
  override readonly name = 'OptionError';
  readonly code = 'invalid_option';
}

/** The closest of `candidates` to `word`, when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // Two edits for longer names, one for short ones: "rmp" is rpm, "tpm" is not rpm.
  const allowed = word.length > 4 ? 2 : 1;
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Throws an `OptionError` for the first key of `value` not in `known`. `label` turns a key into
 * what the user wrote: `(k) => \`limits.${k}\`` for the client, `(k) => \`--${k}\`` for flags.
 */
export function rejectUnknown(
  value: object,
  known: readonly string[],
  label: (key: string) => string = (key) => `\`${key}\``,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = didYouMean(key, known);
    const hint =
      near === undefined ? ` Known: ${known.map(label).join(', ')}.` : ` Did you mean ${label(near)}?`;
    throw new OptionError(`Unknown option ${label(key)}.${hint}`);
  }
}

type Check = (name: string, value: unknown) => number | undefined;

const numberCheck =
  (test: (n: number) => boolean, takes: string): Check =>
  (name, value) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || Number.isNaN(value) || !test(value))
      throw new OptionError(`Expected \`${name}\` to be ${takes}, got ${describe(value)}.`);
    return value;
  };

/** A number above 0 (Infinity allowed), or undefined when absent. */
export const positive = numberCheck((n) => n > 0, 'a number greater than 0');
/** A number of at least 0, or undefined when absent. */
export const nonNegative = numberCheck((n) => n >= 0, 'a number of at least 0');
/** A whole number of at least 1, or undefined when absent. */
export const wholePositive = numberCheck(
  (n) => Number.isInteger(n) && n >= 1,
  'a whole number of at least 1',
);
/** A number from 0 to 1, or undefined when absent. */
export const fraction = numberCheck((n) => n >= 0 && n <= 1, 'a number from 0 to 1');

/** One of `choices`, or undefined when absent. */
export function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const near = typeof value === 'string' ? didYouMean(value, choices) : undefined;
  const hint = near === undefined ? '' : ` Did you mean '${near}'?`;
  throw new OptionError(
    `Expected \`${name}\` to be one of ${choices.join(', ')}, got ${describe(value)}.${hint}`,
  );
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** Edit distance with swapped neighbours as one edit ("rmp" is one from "rpm"); option names only. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const up = rows[i - 1]!;
      let best = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
