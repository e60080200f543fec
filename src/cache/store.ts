/**
 * The response cache: successful answers by request, one file each, replaced atomically (a
 * temporary file, then a rename), so no reader sees half an entry. Not synced: an entry a power
 * cut left empty is checked whole on read and is a miss, like a lost one. A lookup that finds nothing usable
 * (no file, a damaged one, one older than `maxAge`) is a miss: the call is made, and paid, as
 * without a cache. A failed store never fails the call it would have kept: the answer was paid
 * for, and is returned; the failure is counted and warned about once.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { writeFileAtomic } from '../journal/atomic.js';
import { describe, OptionError, positive, rejectUnknown } from '../options/check.js';
import { entryPath, prepareCacheDir } from './dir.js';
import { type CacheAnswer, type CacheEntry, entryText, parseEntry } from './entry.js';

export interface ResponseCacheOptions {
  /** The cache directory; created when missing. */
  readonly dir: string;
  /** How old a hit may be (ms); older entries are misses (and replaced). @default Infinity */
  readonly maxAge?: number | undefined;
  /** Stamps entries and ages them. @default the system clock (a `Volley` passes its own) */
  readonly clock?: Clock | undefined;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Misses because the entry was older than `maxAge`. */
  expired: number;
  stored: number;
  failedStores: number;
}

export class ResponseCache {
  readonly dir: string;
  readonly maxAge: number;
  readonly clock: Clock;
  readonly stats: CacheStats = { hits: 0, misses: 0, expired: 0, stored: 0, failedStores: 0 };
  #ready: Promise<void> | undefined;
  /** Stores under way by key: identical calls answered together keep the first answer. */
  readonly #storing = new Map<string, Promise<void>>();
  #warned = false;

  constructor(options: ResponseCacheOptions) {
    if (typeof options !== 'object' || options === null)
      throw new OptionError(
        `Expected \`cache\` to be a directory or { dir, maxAge }, got ${describe(options)}.`,
      );
    rejectUnknown(options, ['dir', 'maxAge', 'clock'], (key) => `\`cache.${key}\``);
    if (typeof options.dir !== 'string' || options.dir === '')
      throw new OptionError(`Expected \`cache.dir\` to be a directory path, got ${describe(options.dir)}.`);
    this.dir = options.dir;
    this.maxAge = positive('cache.maxAge', options.maxAge) ?? Number.POSITIVE_INFINITY;
    this.clock = options.clock ?? systemClock;
  }

  /** Creates or checks the directory; rejects with a `VolleyError` (`cache_unusable`) naming it. */
  open(): Promise<void> {
    this.#ready ??= prepareCacheDir(this.dir);
    return this.#ready;
  }

  /** The entry stored under `key`, unless there is none, it is damaged, or older than `maxAge`. */
  async get(key: string): Promise<CacheEntry | undefined> {
    await this.open();
    let entry: CacheEntry | undefined;
    try {
      entry = parseEntry(await readFile(entryPath(this.dir, key), 'utf8'), key);
    } catch {
      // No file, or one that cannot be read: a miss costs a call, never a wrong answer.
    }
    if (entry !== undefined && this.clock.now() - entry.created_at > this.maxAge) {
      this.stats.expired++;
      entry = undefined;
    }
    if (entry === undefined) this.stats.misses++;
    else this.stats.hits++;
    return entry;
  }

  /** Stores a successful answer under `key`. Never rejects: see the file's comment. */
  put(key: string, answer: CacheAnswer): Promise<void> {
    const pending = this.#storing.get(key);
    if (pending) return pending;
    const done = this.#write(key, answer).finally(() => this.#storing.delete(key));
    this.#storing.set(key, done);
    return done;
  }

  async #write(key: string, answer: CacheAnswer): Promise<void> {
    try {
      await this.open();
      const path = entryPath(this.dir, key);
      await mkdir(dirname(path), { recursive: true });
      // Another process may store the same key at the same moment: a temporary file of its own.
      const temporary = `${path}.${randomBytes(6).toString('hex')}.volley-tmp`;
      await writeFileAtomic(path, entryText(key, answer, this.clock.now()), {
        what: 'the cache entry',
        temporary,
        sync: false,
      });
      this.stats.stored++;
    } catch (error) {
      this.stats.failedStores++;
      if (this.#warned) return;
      this.#warned = true;
      const detail = error instanceof Error ? error.message : String(error);
      process.emitWarning(`Volley could not store an answer in the response cache: ${detail}`);
    }
  }
}
