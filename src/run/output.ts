/**
 * Writing the output of an invocation: records in output order (`OrderedWriter`), each one to the
 * output, failures also to the errors file, and, when the journal is compacted, an index line
 * saying where the record sits in the new output. An earlier run's record is copied from where
 * the journal says it is; a new one comes with its text. What is written is counted and
 * checksummed, for the journal's seal.
 */
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { LineFile } from '../batch/line-file.js';
import { indexLine, type RecordMeta } from './journal/entries.js';
import { Checksum } from './journal/rebuild.js';
import { OrderedWriter, type OutputOrder } from './ordered-writer.js';

const NEWLINE = Buffer.from('\n');

/** Where lines go: a file written in large appends, or a stream (`--out -`). */
export interface LineSink {
  /** One line, without its newline; bytes are copied before `write` returns. */
  write(line: string | Uint8Array): void;
  /** Bytes accepted but not yet written: the reader slows down while it is large. */
  readonly backlog: number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function fileSink(path: string): Promise<LineSink> {
  return LineFile.open(path, { truncate: true });
}

/**
 * A stream that is not ours to end (stdout): lines are written as they come; close only drains.
 * Once the stream fails (its reader went away: `volley run --out - | head`), every later write
 * throws, which stops the run: no more calls are paid for records that have nowhere to go.
 */
export function streamSink(stream: NodeJS.WritableStream): LineSink {
  const state = stream as Partial<Writable>;
  let failed: Error | undefined;
  const waiters: Array<() => void> = [];
  const wakeAll = () => {
    for (const resolve of waiters.splice(0)) resolve();
  };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failed ??= new Error(
      `The stream the records go to was closed (${error.code ?? error.message}): the run stops.`,
      { cause: error },
    );
    wakeAll();
  });
  stream.on('drain', wakeAll);
  const drained = () =>
    state.writableNeedDrain && !failed
      ? new Promise<void>((resolve) => waiters.push(resolve))
      : Promise.resolve();
  return {
    write: (line) => {
      if (failed) throw failed;
      // A stream keeps what it is given until it is written, and bytes may be a reused buffer's.
      stream.write(typeof line === 'string' ? `${line}\n` : Buffer.concat([line, NEWLINE]));
    },
    get backlog() {
      return state.writableLength ?? 0;
    },
    flush: drained,
    close: drained,
  };
}

/** A record for the output: a new one with its text, or an earlier one by its journal slot. */
export type OutputEntry =
  | { readonly meta: RecordMeta; readonly text: string; readonly detail?: unknown }
  | { readonly slot: number; readonly line: number };

/** A record's line as it is written: its summary, its bytes and their checksum. */
interface Stored {
  readonly meta: RecordMeta;
  readonly bytes: Buffer;
  readonly crc: number;
}

export interface OutputParts {
  readonly order: OutputOrder;
  readonly out: LineSink | undefined;
  readonly errors: LineSink | undefined;
  /** The compacted journal being written, which gets an index line per record. */
  readonly index: LineSink | undefined;
  /** An earlier record's summary, bytes (valid until the next read) and checksum. */
  readonly read: (slot: number) => Stored;
  /** Each record as it is written, in output order (the library's results). */
  readonly onEmit?: ((meta: RecordMeta, text: string, detail: unknown) => void) | undefined;
  /** A line could not be written (the records' stream was closed): nothing more is written. */
  readonly onError?: ((error: Error) => void) | undefined;
}

export class OutputWriter {
  readonly #order: OrderedWriter<OutputEntry>;
  readonly out = new Checksum();
  readonly errors = new Checksum();
  /** Records written. */
  records = 0;
  /** Why a write failed; from then on nothing is written, and the output is not to be committed. */
  failed: Error | undefined;

  constructor(private readonly parts: OutputParts) {
    this.#order = new OrderedWriter(parts.order, (entry) => this.#emit(entry));
  }

  /** Records held back for input order, waiting for an earlier one. */
  get held(): number {
    return this.#order.held;
  }

  /** The largest backlog of the files written to. */
  get backlog(): number {
    const { out, errors, index } = this.parts;
    return Math.max(out?.backlog ?? 0, errors?.backlog ?? 0, index?.backlog ?? 0);
  }

  put(seq: number, entry: OutputEntry): void {
    this.#order.put(seq, entry);
  }

  /** `seq` will have no record in this invocation. */
  skip(seq: number): void {
    this.#order.skip(seq);
  }

  /** Writes what is held past any gaps, then the earlier records in `rest` (lines not reached). */
  finish(rest: Iterable<number>): void {
    this.#order.flushAll();
    for (const slot of rest) this.#emit({ slot, line: -1 });
  }

  async flush(): Promise<void> {
    const { out, errors, index } = this.parts;
    await Promise.all([out?.flush(), errors?.flush(), index?.flush()]);
  }

  async close(): Promise<void> {
    const { out, errors, index } = this.parts;
    const results = await Promise.allSettled([out?.close(), errors?.close(), index?.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** An earlier record, with its `line` set to where its line is now when the input moved it. */
  #earlier(slot: number, line: number): Stored {
    const found = this.parts.read(slot);
    if (line < 0 || found.meta.l === line) return found;
    const record = JSON.parse(found.bytes.toString('utf8')) as { line: number };
    record.line = line;
    return stored({ ...found.meta, l: line }, JSON.stringify(record));
  }

  #emit(entry: OutputEntry): void {
    if (this.failed) return;
    const { meta, bytes, crc } =
      'slot' in entry ? this.#earlier(entry.slot, entry.line) : stored(entry.meta, entry.text);
    const { out, errors, index } = this.parts;
    const offset = this.out.bytes;
    try {
      out?.write(bytes);
      if (meta.s !== 'ok') errors?.write(bytes);
      index?.write(indexLine(meta, offset, bytes.length, crc));
    } catch (error) {
      this.failed = error instanceof Error ? error : new Error(String(error));
      this.parts.onError?.(this.failed);
      return;
    }
    this.out.add(bytes);
    if (meta.s !== 'ok') this.errors.add(bytes);
    this.records++;
    if (this.parts.onEmit === undefined) return;
    const text = 'slot' in entry ? bytes.toString('utf8') : entry.text;
    this.parts.onEmit(meta, text, 'slot' in entry ? undefined : entry.detail);
  }
}

function stored(meta: RecordMeta, text: string): Stored {
  const bytes = Buffer.from(text);
  return { meta, bytes, crc: crc32(bytes) };
}
