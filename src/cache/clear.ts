/**
 * `volley cache clear DIR [--older-than 7d]`: removes entries (all, or those stored longer ago
 * than `olderThan`), damaged entries, and temporary files a killed store left behind. Only in a
 * directory with the cache's marker, and only files named as entries are: nothing else is touched.
 */
import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCacheDir, ENTRY_FILE } from './dir.js';
import { parseEntry } from './entry.js';

const SUBDIR = /^[0-9a-f]{2}$/;
const TEMPORARY = /^[0-9a-f]{64}\.json\.[0-9a-f]+\.volley-tmp$/;

export interface ClearOptions {
  /** Remove only entries stored longer ago than this (ms). @default every entry */
  readonly olderThan?: number | undefined;
  /** The time entries are aged against (ms, the clock entries were stamped with). @default Date.now() */
  readonly now?: number | undefined;
}

export interface ClearResult {
  readonly removed: number;
  readonly kept: number;
}

/** Rejects with a `VolleyError` (`cache_unusable`) when `dir` is not a cache. */
export async function clearCache(dir: string, options: ClearOptions = {}): Promise<ClearResult> {
  await checkCacheDir(dir);
  const now = options.now ?? Date.now();
  const olderThan = options.olderThan ?? Number.NEGATIVE_INFINITY;
  let removed = 0;
  let kept = 0;
  for (const sub of await readdir(dir)) {
    if (!SUBDIR.test(sub)) continue;
    const folder = join(dir, sub);
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      if (TEMPORARY.test(name)) {
        // A store under way in another process keeps its file until it is old.
        if (now - (await stat(path)).mtimeMs > Math.max(olderThan, 60_000)) await rm(path, { force: true });
        continue;
      }
      if (!ENTRY_FILE.test(name)) continue;
      if (await isOld(path, name.slice(0, 64), now, olderThan)) {
        await rm(path, { force: true });
        removed++;
      } else kept++;
    }
    // Left when it still holds something: ENOTEMPTY is the answer then.
    await rmdir(folder).catch(() => {});
  }
  return { removed, kept };
}

async function isOld(path: string, key: string, now: number, olderThan: number): Promise<boolean> {
  if (olderThan === Number.NEGATIVE_INFINITY) return true;
  const entry = parseEntry(await readFile(path, 'utf8').catch(() => ''), key);
  return entry === undefined || now - entry.created_at > olderThan;
}
