import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-clock.js';
import { clearCache } from './clear.js';
import { entryPath } from './dir.js';
import { ResponseCache } from './store.js';

const key = (n: number) => n.toString(16).padStart(64, '0');
const answer = { body: { choices: [] }, model: 'm' };

async function filled(clock: ManualClock): Promise<ResponseCache> {
  const cache = new ResponseCache({ dir: join(await mkdtemp(join(tmpdir(), 'volley-clear-')), 'c'), clock });
  await cache.put(key(1), answer);
  await clock.advance(10_000);
  await cache.put(key(2), answer);
  return cache;
}

describe('the cache store and clearCache', () => {
  it('removes every entry, or those older than olderThan on the given clock', async () => {
    const clock = new ManualClock(1_000_000);
    const cache = await filled(clock);
    expect(await clearCache(cache.dir, { olderThan: 5_000, now: clock.now() })).toEqual({
      removed: 1,
      kept: 1,
    });
    expect(await cache.get(key(1))).toBeUndefined();
    expect(await cache.get(key(2))).toBeDefined();
    expect(await clearCache(cache.dir)).toEqual({ removed: 1, kept: 0 });
    expect(await readdir(cache.dir)).toEqual(['volley-cache.json']);
  });

  it('reads a damaged entry as a miss, and clears it', async () => {
    const clock = new ManualClock(0);
    const cache = await filled(clock);
    await writeFile(entryPath(cache.dir, key(1)), '{"v":1,"key":"');
    expect(await cache.get(key(1))).toBeUndefined();
    expect(cache.stats).toMatchObject({ hits: 0, misses: 1 });
    expect(await clearCache(cache.dir, { olderThan: 60_000, now: clock.now() })).toEqual({
      removed: 1,
      kept: 1,
    });
  });

  it('refuses a directory that is not a cache, removing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-clear-'));
    await mkdir(join(dir, 'ab'));
    await writeFile(join(dir, 'ab', `${'ab'.repeat(32)}.json`), '{}');
    await expect(clearCache(dir)).rejects.toMatchObject({
      code: 'cache_unusable',
      message: expect.stringContaining(dir),
    });
    await expect(clearCache(join(dir, 'missing'))).rejects.toThrow(/no such directory/);
    // Nor is a non-empty directory made a cache.
    await expect(new ResponseCache({ dir }).open()).rejects.toThrow(/not empty/);
    expect(await readdir(join(dir, 'ab'))).toHaveLength(1);
  });

  it('checks its options', () => {
    expect(() => new ResponseCache({ dir: '' })).toThrow(/cache.dir/);
    expect(() => new ResponseCache({ dir: 'x', maxAge: -1 })).toThrow(/cache.maxAge/);
    expect(() => new ResponseCache({ dir: 'x', maxAg: 1 } as never)).toThrow(/Did you mean `cache.maxAge`/);
  });
});
