/**
 * Compact sets and maps of record keys, for resume and duplicate detection over millions of
 * lines. Keys such as `line-17` or `request-4031` (a prefix and a plain decimal number) take one
 * bit (a set) or four bytes (a map) each in an array per prefix; only keys of other shapes are
 * kept as strings.
 */

/** Numbers above this go to the string set instead of growing an array for one key. */
const MAX_NUMBER = 1 << 24;
const NUMBERED = /^(.*?)(0|[1-9]\d{0,8})$/;

function splitKey(key: string): { prefix: string; n: number } | undefined {
  const match = NUMBERED.exec(key);
  if (!match) return undefined;
  const n = Number(match[2]);
  return n > MAX_NUMBER ? undefined : { prefix: match[1]!, n };
}

function grown<T extends Uint32Array | Int32Array>(array: T, index: number, make: (n: number) => T): T {
  if (index < array.length) return array;
  let length = array.length;
  while (length <= index) length *= 2;
  const bigger = make(length);
  bigger.set(array);
  return bigger;
}

/** A growable bitmap of non-negative whole numbers. */
export class BitSet {
  #words = new Uint32Array(64);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(n: number): boolean {
    const word = n >>> 5;
    return word < this.#words.length && (this.#words[word]! & (1 << (n & 31))) !== 0;
  }

  /** Adds `n`; returns false when it was already there. */
  add(n: number): boolean {
    const word = n >>> 5;
    this.#words = grown(this.#words, word, (length) => new Uint32Array(length));
    const bit = 1 << (n & 31);
    if ((this.#words[word]! & bit) !== 0) return false;
    this.#words[word]! |= bit;
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
  readonly #numbered = new Map<string, Int32Array>();
  readonly #other = new Map<string, number>();

  /** The key's slot, or -1. */
  get(key: string): number {
    const split = splitKey(key);
    if (split === undefined) return this.#other.get(key) ?? -1;
    const slots = this.#numbered.get(split.prefix);
    return slots === undefined || split.n >= slots.length ? -1 : slots[split.n]! - 1;
  }

  set(key: string, slot: number): void {
    const split = splitKey(key);
    if (split === undefined) {
      this.#other.set(key, slot);
      return;
    }
    let slots = this.#numbered.get(split.prefix) ?? new Int32Array(64);
    slots = grown(slots, split.n, (length) => new Int32Array(length));
    slots[split.n] = slot + 1;
    this.#numbered.set(split.prefix, slots);
  }
}
