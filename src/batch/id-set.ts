/**
 * Compact sets for resume and duplicate detection over millions of lines. Ids such as `line-17`
 * or `request-4031` (a prefix and a plain decimal number) take one bit each in a bitmap per
 * prefix; only ids of other shapes are kept as strings.
 */

/** Numbers above this go to the string set instead of growing a bitmap (8 MB) for one id. */
const MAX_BIT = 1 << 26;

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
    if (word >= this.#words.length) {
      let length = this.#words.length;
      while (length <= word) length *= 2;
      const grown = new Uint32Array(length);
      grown.set(this.#words);
      this.#words = grown;
    }
    const bit = 1 << (n & 31);
    if ((this.#words[word]! & bit) !== 0) return false;
    this.#words[word]! |= bit;
    this.#size++;
    return true;
  }
}

const NUMBERED = /^(.*?)(0|[1-9]\d{0,8})$/;

/** A set of custom ids; `line-N` and `prefix-N` shapes cost a bit each. */
export class IdSet {
  readonly #numbered = new Map<string, BitSet>();
  readonly #other = new Set<string>();

  get size(): number {
    let size = this.#other.size;
    for (const bits of this.#numbered.values()) size += bits.size;
    return size;
  }

  has(id: string): boolean {
    const split = splitId(id);
    if (split === undefined) return this.#other.has(id);
    return this.#numbered.get(split.prefix)?.has(split.n) ?? false;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    const split = splitId(id);
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

function splitId(id: string): { prefix: string; n: number } | undefined {
  const match = NUMBERED.exec(id);
  if (!match) return undefined;
  const n = Number(match[2]);
  return n > MAX_BIT ? undefined : { prefix: match[1]!, n };
}
