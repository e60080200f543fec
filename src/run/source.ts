/**
 * The entries of a run's source, numbered from 1: lines of a file or stdin a chunk at a time (one
 * await per 64 KiB, not per line), or the values of an iterable or async iterable. `next` returns
 * at once while a chunk lasts, so a million lines cost a few thousand awaits.
 */

/** An entry the source could not decode (a line that is not UTF-8): it becomes an error record. */
export class BadEntry {
  constructor(readonly message: string) {}
}

export interface SourceEntry {
  readonly value: unknown;
  /** 1-based; blank lines count. */
  readonly line: number;
}

export interface EntrySource {
  /** The next entry, undefined at the end; a promise only when the source must be waited for. */
  next(): SourceEntry | undefined | Promise<SourceEntry | undefined>;
  /** Lets go of the source; a read still pending (a quiet stdin) does not hold the run open. */
  close(): void;
}

/** A line reader that hands over a chunk's lines at once (`LineSource`). */
interface ChunkedLines {
  lines?(): AsyncIterable<{ readonly first: number; readonly entries: readonly unknown[] }>;
  batches(): AsyncIterable<readonly string[]>;
}

function isChunked(source: object): source is ChunkedLines {
  return typeof (source as Partial<ChunkedLines>).batches === 'function';
}

export function openSource(source: Iterable<unknown> | AsyncIterable<unknown>): EntrySource {
  if (isChunked(source)) return chunked(source);
  let line = 0;
  if (Symbol.asyncIterator in source) {
    const iterator = source[Symbol.asyncIterator]();
    return {
      next: async () => {
        const next = await iterator.next();
        return next.done ? undefined : { value: next.value, line: ++line };
      },
      close: () => void iterator.return?.(undefined)?.catch(() => {}),
    };
  }
  const iterator = source[Symbol.iterator]();
  return {
    next: () => {
      const next = iterator.next();
      return next.done ? undefined : { value: next.value, line: ++line };
    },
    close: () => void iterator.return?.(undefined),
  };
}

function chunked(source: ChunkedLines): EntrySource {
  const batches: AsyncIterator<readonly unknown[]> = source.lines
    ? mapBatches(source.lines()[Symbol.asyncIterator]())
    : source.batches()[Symbol.asyncIterator]();
  let batch: readonly unknown[] = [];
  let index = 0;
  let line = 0;
  let done = false;
  const take = (): SourceEntry => ({ value: toEntry(batch[index++]), line: ++line });
  return {
    next() {
      if (index < batch.length) return take();
      if (done) return undefined;
      return (async () => {
        for (;;) {
          const next = await batches.next();
          if (next.done) {
            done = true;
            return undefined;
          }
          batch = next.value;
          index = 0;
          if (batch.length > 0) return take();
        }
      })();
    },
    close: () => void batches.return?.(undefined)?.catch(() => {}),
  };
}

async function* mapBatches(
  lines: AsyncIterator<{ readonly entries: readonly unknown[] }>,
): AsyncGenerator<readonly unknown[]> {
  for (let next = await lines.next(); !next.done; next = await lines.next()) yield next.value.entries;
}

/** A line the reader flagged as undecodable (`InvalidLine`) becomes a `BadEntry`; text stays text. */
function toEntry(value: unknown): unknown {
  if (typeof value === 'string') return value;
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? new BadEntry(message) : value;
}
