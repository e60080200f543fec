/**
 * What a run's journal says, held compactly: one slot per record key with its content hash, kind,
 * line and where its text is (a record line in the journal, or an index line pointing into the
 * output), in paged typed arrays (`PagedArray`); a million keys take about 30 MB, not a Map of
 * objects. Replay fills it; the engine asks it, for every line it reads, whether the line is new,
 * unchanged or changed. A key that only this invocation recorded gets no slot: nothing in this
 * invocation asks about it again (the feed has claimed it, so a repeat is a duplicate), and a later
 * one replays it from the journal. A fresh run of a million lines so holds no per-key row at all.
 */
import type { RecordKind } from '../../records/types.js';
import { IdSet, KeyMap } from '../keys.js';
import { PagedArray } from '../paged.js';
import type { RecordMeta } from './entries.js';

const KINDS: readonly RecordKind[] = ['ok', 'failed', 'invalid', 'duplicate'];
const KIND_CODE: Record<RecordKind, number> = { ok: 0, failed: 1, invalid: 2, duplicate: 3 };

/** The slot has a record that belongs in the output. */
const LIVE = 1;
/** Its text is in a record line of the journal (else in the output, through an index line). */
const FULL = 2;
/** This invocation has read its key from the input. */
const SEEN = 4;

export interface Spend {
  tokens: number;
  usd: number;
}

/** Sums over the answers the run has, to expect what the next one costs. */
export interface AnswerStats {
  answers: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

export class RunState {
  readonly keys = new KeyMap();
  #size = 0;
  readonly #hashHi = new PagedArray((n) => new Uint32Array(n));
  readonly #hashLo = new PagedArray((n) => new Uint32Array(n));
  readonly #kind = new PagedArray((n) => new Uint8Array(n));
  readonly #flags = new PagedArray((n) => new Uint8Array(n));
  readonly #line = new PagedArray((n) => new Uint32Array(n));
  /** Byte offset and length of the slot's journal line. */
  readonly #at = new PagedArray((n) => new Float64Array(n));
  readonly #length = new PagedArray((n) => new Uint32Array(n));
  /** Records that belong in the output, by kind. */
  readonly counts: Record<RecordKind, number> = { ok: 0, failed: 0, invalid: 0, duplicate: 0 };
  /** Everything ever journaled: superseded and dropped records still cost what they cost. */
  readonly spent: Spend = { tokens: 0, usd: 0 };
  readonly answers: AnswerStats = { answers: 0, promptTokens: 0, completionTokens: 0, usd: 0 };
  /** Keys without a slot whose record this invocation committed as `ok` (see `answeredHere`). */
  readonly #okHere = new IdSet();

  /** Slots: keys an earlier invocation recorded (this one's new keys take none). */
  get size(): number {
    return this.#size;
  }

  /** The slot of `key`, or -1. */
  slot(key: string): number {
    return this.keys.get(key);
  }

  /** A replayed record line (`full`) or index line at `at`/`length` in the journal. */
  replay(meta: RecordMeta, full: boolean, at: number, length: number): void {
    const slot = this.#put(meta.k, meta.h, meta.s, meta.l);
    this.#flags.set(slot, LIVE | (full ? FULL : 0));
    this.#at.set(slot, at);
    this.#length.set(slot, length);
    this.noteAnswer(meta);
    // An index line's spend is in the seal of the compaction that wrote it.
    if (full) this.spend(meta);
  }

  /** A record this invocation committed: it supersedes the key's earlier record, if any. */
  commit(meta: RecordMeta): void {
    this.noteAnswer(meta);
    this.spend(meta);
    if (this.keys.get(meta.k) < 0) {
      this.counts[meta.s]++;
      if (meta.s === 'ok') this.#okHere.add(meta.k);
      return;
    }
    const slot = this.#put(meta.k, meta.h, meta.s, meta.l);
    this.#flags.set(slot, LIVE | SEEN);
    this.#length.set(slot, 0);
  }

  /** The key's record in the output is an answer (`ok`), whether replayed or committed now. */
  answered(key: string): boolean {
    const slot = this.keys.get(key);
    return slot < 0 ? this.#okHere.has(key) : this.isLive(slot) && this.kind(slot) === 'ok';
  }

  spend(meta: RecordMeta): void {
    this.spent.tokens += (meta.u?.[0] ?? 0) + (meta.u?.[1] ?? 0);
    this.spent.usd += meta.c ?? 0;
  }

  noteAnswer(meta: RecordMeta): void {
    if (meta.s !== 'ok' || meta.u === undefined) return;
    this.answers.answers++;
    this.answers.promptTokens += meta.u[0];
    this.answers.completionTokens += meta.u[1];
    this.answers.usd += meta.c ?? 0;
  }

  isLive(slot: number): boolean {
    return (this.#flags.get(slot) & LIVE) !== 0;
  }

  kind(slot: number): RecordKind {
    return KINDS[this.#kind.get(slot)]!;
  }

  sameHash(slot: number, hash: string): boolean {
    return (
      this.#hashHi.get(slot) === Number.parseInt(hash.slice(0, 8), 16) &&
      this.#hashLo.get(slot) === Number.parseInt(hash.slice(8, 16), 16)
    );
  }

  /** Marks the key as read in this invocation; false when an earlier line already had it. */
  see(slot: number): boolean {
    if ((this.#flags.get(slot) & SEEN) !== 0) return false;
    this.#flags.or(slot, SEEN);
    return true;
  }

  /** The slot's record leaves the output (its line changed, or is no longer in the input). */
  retire(slot: number): void {
    if (!this.isLive(slot)) return;
    this.#flags.and(slot, ~LIVE);
    this.counts[this.kind(slot)]--;
  }

  /** The output the index lines point into is gone: their records are sent again. */
  forgetIndexed(): void {
    for (let slot = 0; slot < this.#size; slot++) {
      if ((this.#flags.get(slot) & (LIVE | FULL)) === LIVE) this.retire(slot);
    }
  }

  /** Where the slot's text is: its journal line, holding the record itself when `full`. */
  location(slot: number): { at: number; length: number; full: boolean } {
    return {
      at: this.#at.get(slot),
      length: this.#length.get(slot),
      full: (this.#flags.get(slot) & FULL) !== 0,
    };
  }

  /** Live slots this invocation has not read, in line order: kept when it stops early, else dropped. */
  unseen(): Uint32Array {
    const slots: number[] = [];
    for (let slot = 0; slot < this.#size; slot++) {
      if ((this.#flags.get(slot) & (LIVE | SEEN)) === LIVE) slots.push(slot);
    }
    return Uint32Array.from(slots).sort((a, b) => this.#line.get(a) - this.#line.get(b));
  }

  #put(key: string, hash: string, kind: RecordKind, line: number): number {
    let slot = this.keys.get(key);
    if (slot < 0) {
      slot = this.#size++;
      this.keys.set(key, slot);
    } else if (this.isLive(slot)) {
      this.counts[this.kind(slot)]--;
    }
    this.#hashHi.set(slot, Number.parseInt(hash.slice(0, 8), 16));
    this.#hashLo.set(slot, Number.parseInt(hash.slice(8, 16), 16));
    this.#kind.set(slot, KIND_CODE[kind]);
    this.#line.set(slot, line);
    this.counts[kind]++;
    return slot;
  }
}
