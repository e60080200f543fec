/**
 * Compact sets and maps of record keys, for resume and duplicate detection over millions of
 * lines. Keys such as `line-17` or `request-4031` (a prefix and a plain decimal number) take one
 * bit (a set) or four bytes (a map) each in an array per prefix; only keys of other shapes are
 * kept as strings.
 */
import { PagedArray } from './paged.js';

/** Numbers above this go to the string set instead of growing an array for one key. */
const MAX_NUMBER = 1 << 24;
const NUMBERED = /^(.*?)(0|[1-9]\d{0,8})$/;

function splitKey(key: string): { prefix: string; n: number } | undefined {
  const match = NUMBERED.exec(key);
  if (!match) return undefined;
  const n = Number(match[2]);
  return n > MAX_NUMBER ? undefined : { prefix: match[1]!, n };
}

/** A growable bitmap of non-negative whole numbers. */
export class BitSet {
  /** 2,048 words a page: 65,536 numbers. */
  readonly #words = new PagedArray((length) => new Uint32Array(length), 11);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(n: number): boolean {
    return (this.#words.get(n >>> 5) & (1 << (n & 31))) !== 0;
  }

  /** Adds `n`; returns false when it was already there. */
  add(n: number): boolean {
    if (this.has(n)) return false;
    this.#words.or(n >>> 5, 1 << (n & 31));
    this.#size++;
    return true;
  }
}

/** A set of keys; `line-N` and `prefix-N` shapes cost a bit each. */
export class IdSet {
  readonly #numbered = new Map<string, BitSet>();
  readonly #other = new Set<string>();

  get size(): number {
    let size = this.#other.size;
    for (const bits of this.#numbered.values()) size += bits.size;
    return size;
  }

  has(id: string): boolean {
    const split = splitKey(id);
    if (split === undefined) return this.#other.has(id);
    return this.#numbered.get(split.prefix)?.has(split.n) ?? false;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    const split = splitKey(id);
    if (split === undefined) {
      if (this.#other.has(id)) return false;
      this.#other.add(id);
      return true;
    }
    let bits = this.#numbered.get(split.prefix);
    if (!bits) {
      bits = new BitSet();
      this.#numbered.set(split.prefix, bits);
    }
    return bits.add(split.n);
  }
}

/** Keys to small whole numbers (slots); `line-N` and `prefix-N` shapes cost four bytes each. */
export class KeyMap {
  /** Slot + 1 by number, so that 0 is "no slot"; 16,384 numbers a page. */
  readonly #numbered = new Map<string, PagedArray<Int32Array>>();
  readonly #other = new Map<string, number>();

  /** The key's slot, or -1. */
  get(key: string): number {
    const split = splitKey(key);
    if (split === undefined) return this.#other.get(key) ?? -1;
    const slots = this.#numbered.get(split.prefix);
    return slots === undefined ? -1 : slots.get(split.n) - 1;
  }

  set(key: string, slot: number): void {
    const split = splitKey(key);
    if (split === undefined) {
      this.#other.set(key, slot);
      return;
    }
    let slots = this.#numbered.get(split.prefix);
    if (slots === undefined) {
      slots = new PagedArray((length) => new Int32Array(length), 14);
      this.#numbered.set(split.prefix, slots);
    }
    slots.set(split.n, slot + 1);
  }
}
