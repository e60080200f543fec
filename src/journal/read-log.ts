/**
 * Reading an append log back. Blank lines are skipped. The last line, when it has no newline, is
 * a torn write that was never acknowledged (an append resolves only once its newline is synced),
 * so it is dropped without a word, whether it happens to parse or not. Any other line that is not
 * valid UTF-8 or not JSON is damage: it is reported with its line number and byte offset, and
 * either skipped (with `onDamage`) or thrown as a `JournalError`.
 */
import { createReadStream } from 'node:fs';
import { JournalError } from './errors.js';
import { decodeRegion, lineRegions } from './regions.js';

/** One damaged line of a log. */
export interface LogDamage {
  /** 1-based line number in the log. */
  readonly line: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** The line's length in bytes, without its newline. */
  readonly length: number;
  /** Why it is not a record: `not valid UTF-8`, or the JSON parser's message. */
  readonly reason: string;
}

export interface ReadLogOptions {
  /**
   * Called for each damaged line, which is then skipped and the lines after it read on (see
   * `repairLog` for why). Without it, the first damaged line throws a `JournalError` with code
   * `journal_damaged` naming the line and offset.
   */
  readonly onDamage?: ((damage: LogDamage) => void) | undefined;
}

const CHUNK_BYTES = 1024 * 1024;

/** Yields every complete record of a log, in order. */
export async function* readLog<T = unknown>(path: string, options: ReadLogOptions = {}): AsyncGenerator<T> {
  for await (const records of readLogChunks<T>(path, options)) yield* records;
}

/**
 * The same records, a chunk (about 1 MiB of the file) at a time: for a reader of hundreds of
 * thousands of records (the report), one `await` per record would cost more than parsing them.
 */
export async function* readLogChunks<T = unknown>(
  path: string,
  options: ReadLogOptions = {},
): AsyncGenerator<T[]> {
  let line = 0;
  for await (const region of lineRegions(createReadStream(path, { highWaterMark: CHUNK_BYTES }))) {
    if (region.unterminated) return;
    const text = decodeRegion(region.bytes);
    const lines = text === undefined ? eachLine(region.bytes) : text.split('\n');
    let records: T[] = [];
    // A terminated region ends in '\n', so `split` gives one empty string past its last line.
    for (let i = 0; i < lines.length - 1; i++) {
      line++;
      const entry = lines[i];
      let reason: string | undefined;
      if (entry === undefined) reason = 'not valid UTF-8';
      else if (entry.trim() === '') continue;
      else {
        try {
          records.push(JSON.parse(entry) as T);
          continue;
        } catch (error) {
          reason = (error as Error).message;
        }
      }
      // Without onDamage this throws: the records before the damage are handed over first.
      if (!options.onDamage && records.length > 0) {
        yield records;
        records = [];
      }
      damaged(region.bytes, region.offset, i, line, reason, options);
    }
    if (records.length > 0) yield records;
  }
}

function damaged(
  bytes: Buffer,
  base: number,
  index: number,
  line: number,
  reason: string,
  options: ReadLogOptions,
): void {
  const [start, end] = lineBounds(bytes, index);
  const damage = { line, offset: base + start, length: end - start, reason };
  if (options.onDamage) {
    options.onDamage(damage);
    return;
  }
  throw new JournalError(
    'journal_damaged',
    `The journal is damaged at line ${line} (byte ${damage.offset}): ${reason}. ` +
      'Rerun the same command: a resume keeps every record that is intact and sets the damaged lines aside.',
  );
}

/** Start and end (before its '\n') of the `index`-th line of a region. */
function lineBounds(bytes: Buffer, index: number): [number, number] {
  let start = 0;
  for (let i = 0; i < index; i++) start = bytes.indexOf(10, start) + 1;
  const end = bytes.indexOf(10, start);
  return [start, end < 0 ? bytes.length : end];
}

/** The lines of a region that holds invalid UTF-8 somewhere: undefined where a line does. */
function eachLine(bytes: Buffer): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(10, start);
    lines.push(decodeRegion(bytes.subarray(start, end)));
    start = end + 1;
  }
  lines.push('');
  return lines;
}
