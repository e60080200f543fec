/**
 * A JSONL file written in large appends: lines are gathered and written when 64 KiB have piled up
 * or 100 ms have passed. Not synced: the journal is what survives a crash, and the output is
 * rebuilt from it on resume. `backlog` lets the reader slow down when the disk cannot keep up.
 */
import { type FileHandle, open } from 'node:fs/promises';

const FLUSH_CHARS = 64 * 1024;
const FLUSH_DELAY_MS = 100;

export class LineFile {
  #buffer: string[] = [];
  #chars = 0;
  #writing = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #error: unknown;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /** Opens for appending; `truncate` starts the file over. */
  static async open(path: string, { truncate = false } = {}): Promise<LineFile> {
    return new LineFile(path, await open(path, truncate ? 'w' : 'a'));
  }

  /** Characters accepted but not yet written. */
  get backlog(): number {
    return this.#chars + this.#writing;
  }

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
        if (this.#error === undefined) await this.file.appendFile(text);
      } catch (error) {
        this.#error = error;
      } finally {
        this.#writing -= chars;
      }
    });
  }
}
