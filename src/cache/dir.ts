/**
 * The cache directory: content-addressed files `DIR/ab/abcdef….json` (256 subdirectories, so no
 * directory grows past a few thousand files before millions of entries), and a marker file that
 * says the directory is a Volley cache. Only a directory with the marker is ever cleared, so a
 * mistyped `volley cache clear ~` removes nothing.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VolleyError } from '../errors.js';
import { writeFileAtomic } from '../journal/atomic.js';

const MARKER = 'volley-cache.json';
/** An entry's file name: its key, 64 hex digits. */
export const ENTRY_FILE = /^[0-9a-f]{64}\.json$/;

export function entryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.json`);
}

/** Makes `dir` a cache (created when missing) or checks that it is one, and that it can be written. */
export async function prepareCacheDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const names = await readdir(dir);
    if (names.includes(MARKER)) return;
    if (names.length > 0)
      throw unusable(dir, 'it is not empty and holds no volley-cache.json; pass a new or empty directory');
    await writeFileAtomic(join(dir, MARKER), `${JSON.stringify({ volley_cache: 1 })}\n`, {
      what: 'the cache marker',
    });
  } catch (error) {
    throw error instanceof VolleyError && error.code === 'cache_unusable'
      ? error
      : unusable(dir, reason(error));
  }
}

/** Checks that `dir` is an existing cache, for clearing it. */
export async function checkCacheDir(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw unusable(dir, reason(error));
  }
  if (!names.includes(MARKER))
    throw unusable(dir, 'it is not a Volley cache (no volley-cache.json in it); nothing was removed');
}

function unusable(dir: string, why: string): VolleyError {
  return new VolleyError('cache_unusable', `Cannot use ${dir} as the response cache: ${why}.`);
}

function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such directory (ENOENT)',
    ENOTDIR: 'it (or a folder above it) is a file, not a directory (ENOTDIR)',
    EEXIST: 'it (or a folder above it) is a file, not a directory (EEXIST)',
    EACCES: 'permission denied (EACCES); pass a directory you can write',
    EROFS: 'the file system is read-only (EROFS)',
  };
  return (code && reasons[code]) ?? message;
}
