/**
 * The few file operations the durable files use, as a seam: tests inject short writes, `ENOSPC`
 * and failing syncs through it instead of filling a real disk. `writeAll` is the one place that
 * loops on a short write: Node returns fewer bytes than asked (102,400 of 204,800 when the disk
 * fills up) without throwing, and a caller that ignores `bytesWritten` saves half a record.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export interface DurableFile {
  /** Writes at `position`, or at the current position (the end, for an append) when null. */
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** How a durable file is opened: `'readwrite'` creates it and writes at given offsets. */
type OpenMode = 'readwrite' | 'append' | 'truncate';

export type OpenFile = (path: string, mode: OpenMode) => Promise<DurableFile>;

const FLAGS: Record<OpenMode, number> = {
  readwrite: constants.O_RDWR | constants.O_CREAT,
  append: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
  truncate: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
};

/** The real file system. */
export const openFile: OpenFile = async (path, mode) => {
  const handle = await open(path, FLAGS[mode], 0o666);
  return {
    write: (buffer, offset, length, position) => handle.write(buffer, offset, length, position),
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    datasync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
};

/**
 * Writes all of `bytes`, looping on short writes, from `position` (or the current position when
 * null). A write that makes no progress without an error is an error too: looping on it would
 * never end.
 */
export async function writeAll(file: DurableFile, bytes: Uint8Array, position: number | null): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await file.write(
      bytes,
      done,
      bytes.length - done,
      position === null ? null : position + done,
    );
    if (!(bytesWritten > 0)) {
      throw Object.assign(new Error(`the system wrote nothing of ${bytes.length - done} bytes`), {
        code: 'EIO',
      });
    }
    done += bytesWritten;
  }
}
