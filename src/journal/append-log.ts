/**
 * An append-only JSON Lines file whose appends are on disk (fdatasync) before they resolve, so a
 * record that was acknowledged survives a kill -9 or a power cut.
 *
 * Group commit: appends made while a write and sync are under way wait in one group and go out
 * together as the next single `write` + `fdatasync`, so the sync rate, not the append rate, sets
 * the cost (at 20,000 appends a second a group holds a few dozen records). Every append of a group
 * shares one promise: nothing per append grows with the group.
 *
 * It never reports a record saved before it is: a short write is continued until every byte is
 * out, and only a finished sync resolves. When a write or a sync fails (`ENOSPC`, `EIO`) the file
 * is cut back to the last acknowledged byte, and that append, every one waiting and every later one
 * are rejected with the same `JournalError`, so no record is ever glued onto a cut one.
 */
import { type JournalError, writeFailure } from './errors.js';
import { type DurableFile, type OpenFile, openFile, writeAll } from './file.js';
import { LineBuffer } from './line-buffer.js';

export { readLog, readLogChunks } from './read-log.js';

export interface AppendLogOptions {
  /** The file operations; tests inject short writes and failures. @default the real file system */
  readonly openFile?: OpenFile | undefined;
}

interface Group {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export class AppendLog {
  #lines = new LineBuffer();
  #group: Group | undefined;
  #flushing: Promise<void> | undefined;
  #failure: JournalError | undefined;
  #closed = false;
  /** Bytes acknowledged: where the next group is written, and where a failed one is cut back to. */
  #size: number;

  private constructor(
    readonly path: string,
    private readonly file: DurableFile,
    size: number,
  ) {
    this.#size = size;
  }

  /**
   * Opens (creating) the log for appending. A torn last line, one without its newline, was never
   * acknowledged: it is cut off so that the first new record does not glue itself to it. Damage
   * further up is left alone here: see `repairLog`.
   */
  static async open(path: string, options: AppendLogOptions = {}): Promise<AppendLog> {
    const file = await (options.openFile ?? openFile)(path, 'readwrite');
    try {
      const size = await file.size();
      const end = await endOfLastLine(file, size);
      if (end < size) await file.truncate(end);
      return new AppendLog(path, file, end);
    } catch (error) {
      await file.close().catch(() => {});
      throw writeFailure('journal_write_failed', path, 'the journal', error);
    }
  }

  /** Bytes of the log that are acknowledged: on disk, and every append before them resolved. */
  get size(): number {
    return this.#size;
  }

  /** The failure that stopped the log, once one has. */
  get failure(): JournalError | undefined {
    return this.#failure;
  }

  /** Resolves once `record` is durably on disk; rejects with a `JournalError` if it cannot be. */
  append(record: unknown): Promise<void> {
    return this.appendJSON(JSON.stringify(record));
  }

  /**
   * `append` for a record already serialized as one line of JSON (no newline in it), when the
   * caller needs the text too.
   */
  appendJSON(line: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error(`The journal ${this.path} is closed.`));
    this.#lines.push(line);
    this.#group ??= newGroup();
    // Started on the next turn of the event loop rather than now, so that a burst of appends
    // (answers read from several sockets in one poll) is one write rather than one plus the rest.
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
    return this.#group.promise;
  }

  /** Waits for the appends made so far, then closes the file. Later appends are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.file.close();
  }

  async #flush(): Promise<void> {
    while (this.#group && !this.#failure) {
      const group = this.#group;
      const bytes = this.#lines.take();
      this.#group = undefined;
      try {
        await writeAll(this.file, bytes, this.#size);
        await this.file.datasync();
      } catch (error) {
        await this.#fail(error);
        group.reject(this.#failure);
        break;
      }
      this.#size += bytes.length;
      group.resolve();
    }
    this.#flushing = undefined;
  }

  /** Stops the log: cuts what the failed write left, and rejects what waits. */
  async #fail(error: unknown): Promise<void> {
    this.#failure = writeFailure('journal_write_failed', this.path, 'the journal', error);
    try {
      await this.file.truncate(this.#size);
      await this.file.datasync();
    } catch {
      // Whatever stays past the acknowledged end is a torn tail or complete, unacknowledged
      // records; the next open cuts the first, and the second are true answers.
    }
    this.#group?.reject(this.#failure);
    this.#group = undefined;
    this.#lines.clear();
  }
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Offset just past the last newline (0 when there is none): where the complete records end. */
async function endOfLastLine(file: DurableFile, size: number): Promise<number> {
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
