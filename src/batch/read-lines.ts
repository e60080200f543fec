/**
 * Streaming line input. The next chunk is pulled only when the consumer asks for more lines, so a
 * run reads ahead only as far as its window of items in flight lets it: a chunk (64 KiB) and the
 * stream's own buffer are all that is ever held beyond that. The byte order mark is dropped by
 * the decoder.
 */
import { createReadStream } from 'node:fs';

export const CHUNK_BYTES = 64 * 1024;

/**
 * Lines of a byte or text stream, without their `\n` or `\r\n`, a final unterminated line
 * included. Iterates line by line, or with `batches()` a chunk's lines at a time: one await per
 * 64 KiB instead of one per line, which is what a run over a million lines uses. Single use.
 */
export class LineSource implements AsyncIterable<string> {
  constructor(private readonly chunks: AsyncIterable<string | Uint8Array>) {}

  async *batches(): AsyncGenerator<string[]> {
    const decoder = new TextDecoder('utf-8');
    let rest = '';
    for await (const chunk of this.chunks) {
      const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      const lines: string[] = [];
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        lines.push(trimCR(text.slice(start, end)));
        start = end + 1;
      }
      rest = text.slice(start);
      if (lines.length > 0) yield lines;
    }
    rest += decoder.decode();
    if (rest !== '') yield [trimCR(rest)];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    for await (const batch of this.batches()) yield* batch;
  }
}

export function readLines(chunks: AsyncIterable<string | Uint8Array>): LineSource {
  return new LineSource(chunks);
}

/** Lines of a file, read in `CHUNK_BYTES` chunks on demand. */
export function readFileLines(path: string): LineSource {
  return readLines(createReadStream(path, { highWaterMark: CHUNK_BYTES }));
}

/** Non-blank lines of a file, counted without decoding it: the total for progress and ETA. */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let blank = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 10) {
        if (!blank) count++;
        blank = true;
      } else if (blank && byte !== 32 && byte !== 9 && byte !== 13) {
        blank = false;
      }
    }
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
