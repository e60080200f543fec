/**
 * A JSONL file written in large appends: lines are copied into a 64 KiB chunk as they come, and
 * the chunk is written when it is full or 100 ms have passed. Copying at once, rather than keeping
 * each line until the append, lets a line die young: kept until the append, a million lines'
 * strings outlived V8's young generation and piled up as old-space garbage. Not synced: the journal is what survives a crash, and the output is
 * rebuilt from it on resume. `backlog` lets the reader slow down when the disk cannot keep up.
 *
 * A failed write is never lost: short writes are continued (`writeAll`), and the first error
 * (`ENOSPC`, `EIO`) becomes a `JournalError` (`output_write_failed`) that `onError` hears at once,
 * that every later `write` throws, and that `flush` and `close` reject with.
 */
import { type JournalError, writeFailure } from '../journal/errors.js';
import { type DurableFile, type OpenFile, openFile, writeAll } from '../journal/file.js';

const CHUNK_BYTES = 64 * 1024;
const FLUSH_DELAY_MS = 100;
/** Chunks kept for reuse once written; more are made while the disk is behind. */
const SPARE_CHUNKS = 2;

export interface LineFileOptions {
  /** Start the file over instead of appending. @default false */
  readonly truncate?: boolean | undefined;
  /** The file's role in a failure's message. @default 'the output' */
  readonly what?: string | undefined;
  /** Told of the first failed write, as soon as it happens. */
  readonly onError?: ((error: JournalError) => void) | undefined;
  /** The file operations; tests inject failures. @default the real file system */
  readonly openFile?: OpenFile | undefined;
}

export class LineFile {
  #chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  /** Bytes of `#chunk` holding lines not yet handed to the file. */
  #used = 0;
  readonly #spare: Buffer[] = [];
  #writing = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #error: JournalError | undefined;

  private constructor(
    readonly path: string,
    private readonly file: DurableFile,
    private readonly options: LineFileOptions,
  ) {}

  /** Opens for appending; `truncate` starts the file over. */
  static async open(path: string, options: LineFileOptions = {}): Promise<LineFile> {
    const open = options.openFile ?? openFile;
    try {
      return new LineFile(path, await open(path, options.truncate ? 'truncate' : 'append'), options);
    } catch (error) {
      throw writeFailure('output_write_failed', path, options.what ?? 'the output', error);
    }
  }

  /** Bytes accepted but not yet written. */
  get backlog(): number {
    return this.#used + this.#writing;
  }

  /** The failure that stopped the file, once one has. */
  get error(): JournalError | undefined {
    return this.#error;
  }

  /** Takes one line (without its newline); throws the earlier write failure, if there was one. */
  write(line: string | Uint8Array): void {
    if (this.#error !== undefined) throw this.#error;
    // A string's UTF-8 is at most 3 bytes a UTF-16 unit: measure it only when that may not fit.
    const most = typeof line === 'string' ? line.length * 3 : line.length;
    const size = most + 1 <= CHUNK_BYTES - this.#used ? most : byteLength(line);
    if (size + 1 > CHUNK_BYTES - this.#used) this.#flush();
    if (size + 1 > CHUNK_BYTES) {
      this.#append(Buffer.concat([typeof line === 'string' ? Buffer.from(line) : line, NEWLINE]));
      return;
    }
    if (typeof line === 'string') this.#used += this.#chunk.write(line, this.#used);
    else {
      this.#chunk.set(line, this.#used);
      this.#used += line.length;
    }
    this.#chunk[this.#used++] = 0x0a;
    if (this.#used >= CHUNK_BYTES) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), FLUSH_DELAY_MS).unref();
  }

  /** Resolves once everything written so far is in the file (not necessarily on disk). */
  async flush(): Promise<void> {
    this.#flush();
    await this.#chain;
    if (this.#error !== undefined) throw this.#error;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.file.close();
    }
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#used === 0) return;
    const full = this.#chunk;
    const used = this.#used;
    this.#chunk = this.#spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#used = 0;
    this.#append(full.subarray(0, used), full);
  }

  /** Queues bytes for the file; `chunk`, if given, is reused once they are written. */
  #append(bytes: Buffer, chunk?: Buffer): void {
    this.#writing += bytes.length;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#error === undefined) await writeAll(this.file, bytes, null);
      } catch (error) {
        this.#error = writeFailure(
          'output_write_failed',
          this.path,
          this.options.what ?? 'the output',
          error,
        );
        this.options.onError?.(this.#error);
      } finally {
        this.#writing -= bytes.length;
        if (chunk && this.#spare.length < SPARE_CHUNKS) this.#spare.push(chunk);
      }
    });
  }
}

const NEWLINE = Buffer.from('\n');

function byteLength(line: string | Uint8Array): number {
  return typeof line === 'string' ? Buffer.byteLength(line) : line.length;
}
