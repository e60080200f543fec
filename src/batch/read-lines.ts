/**
 * Streaming line input. The next chunk is pulled only when the consumer asks for more lines, so a
 * run reads ahead only as far as its window of items in flight lets it: a chunk (64 KiB) and the
 * stream's own buffer are all that is ever held beyond that. Lines are numbered from 1, blank
 * lines included; `\r\n` ends a line as `\n` does; a byte order mark at the start is dropped.
 *
 * A line that is not valid UTF-8 is handed over as an `InvalidLine` (its number and the byte
 * offset of the first bad byte) rather than decoded with U+FFFD: a prompt silently changed is
 * then paid for as if it were the one the user wrote. The check is one `isUtf8` per chunk; only a
 * chunk that fails it is looked at line by line (`journal/regions.ts`).
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeRegion, lineRegions } from '../journal/regions.js';
import { InvalidLine } from './invalid-line.js';

export { InvalidLine } from './invalid-line.js';

const CHUNK_BYTES = 64 * 1024;

/** The lines of one chunk: `entries[i]` is line `first + i`. */
export interface LineBatch {
  /** Number (1-based, blank lines counted) of `entries[0]`. */
  readonly first: number;
  /** Each line without its `\n` or `\r\n`, or an `InvalidLine` where its bytes are not UTF-8. */
  readonly entries: readonly (string | InvalidLine)[];
}

/**
 * Lines of a byte or text stream, a final unterminated line included. `lines()` hands them over a
 * chunk at a time, numbered, with invalid UTF-8 flagged: one await per 64 KiB instead of one per
 * line, which is what a run over a million lines uses. `batches()` and iterating give plain
 * strings (invalid UTF-8 replaced by U+FFFD) for callers that need no more. Single use.
 */
export class LineSource implements AsyncIterable<string> {
  constructor(private readonly chunks: AsyncIterable<string | Uint8Array>) {}

  async *lines(): AsyncGenerator<LineBatch> {
    let next = 1;
    let start = true;
    for await (const region of lineRegions(this.chunks)) {
      let bytes = region.bytes;
      let offset = region.offset;
      if (start && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
        offset += 3;
      }
      start = false;
      const text = decodeRegion(bytes);
      const entries = text === undefined ? checkEach(bytes, offset, next) : splitText(text);
      yield { first: next, entries };
      next += entries.length;
    }
  }

  /** The lines a chunk at a time, as strings. */
  async *batches(): AsyncGenerator<string[]> {
    for await (const { entries } of this.lines()) {
      yield entries.map((entry) => (typeof entry === 'string' ? entry : entry.text));
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    for await (const batch of this.batches()) yield* batch;
  }
}

/** Lines of a region known to be valid, split on `\n` (which never occurs inside a character). */
function splitText(text: string): (string | InvalidLine)[] {
  const lines: (string | InvalidLine)[] = [];
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    lines.push(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
    start = end + 1;
  }
  if (start < text.length) lines.push(trimCR(text.slice(start)));
  return lines;
}

/**
 * The slow path, for a region that holds invalid UTF-8 somewhere: each line on its own. An invalid
 * line's bytes are copied, since a source may reuse the buffer of a chunk.
 */
function checkEach(bytes: Buffer, offset: number, first: number): (string | InvalidLine)[] {
  const lines: (string | InvalidLine)[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
    lines.push(
      isUtf8(line)
        ? line.toString('utf8')
        : new InvalidLine(first + lines.length, offset + start, Buffer.from(line)),
    );
    start = end + 1;
  }
  return lines;
}

export function readLines(chunks: AsyncIterable<string | Uint8Array>): LineSource {
  return new LineSource(chunks);
}

/** Lines of a file, read in `CHUNK_BYTES` chunks on demand. */
export function readFileLines(path: string): LineSource {
  return readLines(createReadStream(path, { highWaterMark: CHUNK_BYTES }));
}

/**
 * Non-blank lines of a file, counted without decoding it: the total for progress and ETA. One
 * buffer is read into again and again: a stream's fresh megabyte per chunk is freed only when the
 * garbage collector gets to it, and a 100 MB input so left tens of MB resident before the run began.
 */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let blank = true;
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  const file = await open(path, 'r');
  try {
    for (let read = 1; read > 0; ) {
      ({ bytesRead: read } = await file.read(chunk, 0, chunk.length, null));
      for (let i = 0; i < read; i++) {
        const byte = chunk[i]!;
        if (byte === 10) {
          if (!blank) count++;
          blank = true;
        } else if (blank && byte !== 32 && byte !== 9 && byte !== 13) {
          blank = false;
        }
      }
    }
  } finally {
    await file.close();
  }
  return blank ? count : count + 1;
}

/** Any iterable or async iterable as an async iterator, numbering entries from 1. */
export async function* numbered<T>(source: Iterable<T> | AsyncIterable<T>): AsyncGenerator<[number, T]> {
  let line = 0;
  for await (const entry of source) yield [++line, entry];
}

function trimCR(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
