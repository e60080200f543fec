/**
 * Where a run's files go and the few file-system steps the engine takes on them: `results.jsonl`
 * gets `results.errors.jsonl` and `results.journal.jsonl` beside it, is rebuilt as
 * `results.jsonl.partial` and renamed into place, and is locked by `results.jsonl.lock`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { RunError } from './errors.js';

export interface RunPaths {
  /** The output file; undefined when the records go to a stream (`--out -`) or nowhere. */
  readonly out: string | undefined;
  /** The output's name without its extension: the run's other files are named after it. */
  readonly stem: string | undefined;
  readonly errors: string | undefined;
  readonly journal: string | undefined;
}

/**
 * The run's paths. `errors` and `journal` default to names beside the output, or to none when
 * there is no output file; `false` turns them off.
 */
export function runPaths(
  out: string | undefined,
  errors?: string | false | undefined,
  journal?: string | false | undefined,
): RunPaths {
  const stem = out?.replace(/\.(jsonl|ndjson|json)$/i, '');
  const beside = (suffix: string, given: string | false | undefined) =>
    given === false ? undefined : (given ?? (stem === undefined ? undefined : `${stem}.${suffix}`));
  return { out, stem, errors: beside('errors.jsonl', errors), journal: beside('journal.jsonl', journal) };
}

/** The file a rebuilt output (or errors file) is written to before it is renamed into place. */
export const partialOf = (path: string) => `${path}.partial`;
/** The compacted journal, before it replaces the journal. */
export const compactOf = (path: string) => `${path}.compact`;

/**
 * Every folder the run writes to exists, checked before anything is written: a missing one is a
 * usage error that names it (and the flag that chose it), not a failed write midway.
 */
export async function checkFolders(paths: Omit<RunPaths, 'stem'>): Promise<void> {
  const flags = [
    ['--out', paths.out],
    ['--errors', paths.errors],
    ['--journal', paths.journal],
  ] as const;
  for (const [flag, path] of flags) {
    if (path === undefined) continue;
    const folder = dirname(path);
    const found = await stat(folder).catch((error: NodeJS.ErrnoException) => error);
    if (found instanceof Error || !found.isDirectory())
      throw new RunError(
        'input',
        `The folder ${folder} does not exist: create it, or choose another ${flag}.`,
      );
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

/** CRC-32 of a whole file (read in 1 MiB chunks): to tell which of two files a journal describes. */
export function fileCrc(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    let crc = 0;
    for (let position = 0; ; ) {
      const bytes = readSync(fd, chunk, 0, chunk.length, position);
      if (bytes === 0) return crc;
      crc = crc32(chunk.subarray(0, bytes), crc);
      position += bytes;
    }
  } finally {
    closeSync(fd);
  }
}

/** Makes a file's contents durable: a rename is only as good as what it renames. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries (a created or renamed file) durable, where the platform can. */
export async function syncDir(path: string): Promise<void> {
  try {
    const handle = await open(dirname(path), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can sync a directory; a kill -9 never needed it.
  }
}

export async function replace(from: string, to: string): Promise<void> {
  await rename(from, to);
}

export async function remove(path: string | undefined): Promise<void> {
  if (path !== undefined) await rm(path, { force: true });
}
