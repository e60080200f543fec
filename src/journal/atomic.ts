/**
 * Replacing a file so that a kill or a power cut at any moment leaves either the old file or the
 * new one, never a truncated or half-written one: write a temporary file beside the target, sync
 * it, rename it over the target, and sync the directory so that the rename itself is durable.
 * The temporary file has a fixed name (`<target>.volley-tmp`): one left by a kill is simply
 * written over by the next replace, and one run per output (the lock) means no two writers.
 */
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JournalError, writeFailure } from './errors.js';
import { openFile, writeAll } from './file.js';

export interface ReplaceOptions {
  /** The file's role in a failure's message. @default 'the file' */
  readonly what?: string | undefined;
  /**
   * The temporary file, when writers that hold no lock may replace the same target at once (the
   * response cache): each then needs a name of its own. @default `temporaryFor(target)`
   */
  readonly temporary?: string | undefined;
  /**
   * Sync the file and the directory. Only a file whose reader checks it whole may skip this (the
   * response cache: an entry a power cut left empty or lost is a miss, never a wrong answer);
   * the replace is still all or nothing for every other process. @default true
   */
  readonly sync?: boolean | undefined;
}

/** The temporary file `replaceFile` writes for `target`. */
export function temporaryFor(target: string): string {
  return `${target}.volley-tmp`;
}

/**
 * Replaces `target` with what `write` puts in the temporary path it is given (created empty
 * beforehand, so `write` may open it for appending). Rejects with a `JournalError`
 * (`output_write_failed`) when a write, the sync or the rename fails; the target is then
 * untouched and the temporary file removed.
 */
export async function replaceFile(
  target: string,
  write: (temporary: string) => Promise<void>,
  options: ReplaceOptions = {},
): Promise<void> {
  const temporary = options.temporary ?? temporaryFor(target);
  try {
    await (await openFile(temporary, 'truncate')).close();
    await write(temporary);
    if (options.sync !== false) {
      const handle = await open(temporary, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof JournalError) throw error;
    throw writeFailure('output_write_failed', target, options.what ?? 'the file', error);
  }
  if (options.sync !== false) await syncDirectory(dirname(target));
}

/** `replaceFile` for content already in memory. */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: ReplaceOptions = {},
): Promise<void> {
  await replaceFile(
    target,
    async (temporary) => {
      const file = await openFile(temporary, 'truncate');
      try {
        await writeAll(file, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, 0);
      } finally {
        await file.close();
      }
    },
    options,
  );
}

/** Makes the entries of `dir` durable (a new file, a rename), where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not every platform can open or sync a directory (Windows); a kill -9 never needs it, only
    // a power cut right after the rename does.
  } finally {
    await handle?.close();
  }
}
