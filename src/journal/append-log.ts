/**
 * An append-only JSON Lines file whose appends are on disk (fdatasync) before they resolve, so a
 * record that was acknowledged survives a kill -9 or a power cut. Appends made while a sync is
 * under way are grouped into the next write and sync, which keeps thousands of small records a
 * second cheap. Reading tolerates a torn last line: the one a crash cut short.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export class AppendLog {
  #pending: string[] = [];
  #waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  static async open(path: string): Promise<AppendLog> {
    const file = await open(path, 'a+');
    // A torn last line from a crash was never acknowledged: cut it off so that our first record
    // does not glue itself to it.
    const { size } = await file.stat();
    const end = await endOfLastLine(file, size);
    if (end < size) await file.truncate(end);
    return new AppendLog(path, file);
  }

  /** Resolves once `record` is durably on disk. */
  append(record: unknown): Promise<void> {
    return this.appendJSON(JSON.stringify(record));
  }

  /** `append` for a record already serialized (one line of JSON), when the caller needs the text too. */
  appendJSON(line: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`The journal ${this.path} is closed.`));
    this.#pending.push(line);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#flushing ??= this.#flush();
    return done;
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.file.close();
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const lines = this.#pending;
      const waiters = this.#waiters;
      this.#pending = [];
      this.#waiters = [];
      try {
        await this.file.write(`${lines.join('\n')}\n`);
        await this.file.datasync();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#flushing = undefined;
  }
}

/** Yields every complete record of a log, skipping blank lines and a torn (unparsable) last line. */
export async function* readLog<T = unknown>(path: string): AsyncGenerator<T> {
  let held: string | undefined;
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (held !== undefined) yield JSON.parse(held) as T; // not the last line: a parse error is real corruption
    held = line.trim() === '' ? undefined : line;
  }
  if (held === undefined) return;
  try {
    yield JSON.parse(held) as T;
  } catch {
    // The last line was cut short by a crash before its sync finished: it was never acknowledged.
  }
}

/** Offset just past the last newline (0 when there is none): where the complete records end. */
async function endOfLastLine(file: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await file.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(10);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}
