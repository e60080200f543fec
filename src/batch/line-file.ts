/**
 * A JSONL file written in large appends: lines are gathered and written when 64 KiB have piled up
 * or 100 ms have passed. Not synced: the journal is what survives a crash, and the output is
 * rebuilt from it on resume. `backlog` lets the reader slow down when the disk cannot keep up.
 *
 * A failed write is never lost: short writes are continued (`writeAll`), and the first error
 * (`ENOSPC`, `EIO`) becomes a `JournalError` (`output_write_failed`) that `onError` hears at once,
 * that every later `write` throws, and that `flush` and `close` reject with.
 */
import { type JournalError, writeFailure } from '../journal/errors.js';
import { type DurableFile, type OpenFile, openFile, writeAll } from '../journal/file.js';

const FLUSH_CHARS = 64 * 1024;
const FLUSH_DELAY_MS = 100;

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
  #buffer: string[] = [];
  #chars = 0;
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

  /** Characters accepted but not yet written. */
  get backlog(): number {
    return this.#chars + this.#writing;
  }

  /** The failure that stopped the file, once one has. */
  get error(): JournalError | undefined {
    return this.#error;
  }

  /** Takes one line (without its newline); throws the earlier write failure, if there was one. */
  write(line: string): void {
    if (this.#error !== undefined) throw this.#error;
    this.#buffer.push(line);
    this.#chars += line.length + 1;
    if (this.#chars >= FLUSH_CHARS) this.#flush();
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
    if (this.#buffer.length === 0) return;
    const text = `${this.#buffer.join('\n')}\n`;
    const chars = this.#chars;
    this.#buffer = [];
    this.#chars = 0;
    this.#writing += chars;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#error === undefined) await writeAll(this.file, Buffer.from(text, 'utf8'), null);
      } catch (error) {
        this.#error = writeFailure(
          'output_write_failed',
          this.path,
          this.options.what ?? 'the output',
          error,
        );
        this.options.onError?.(this.#error);
      } finally {
        this.#writing -= chars;
      }
    });
  }
}
