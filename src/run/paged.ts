/**
 * A growable array of numbers held in fixed-size typed-array pages. Doubling one array copies it
 * and, for a moment, holds both, and glibc may keep the freed copy (a smaller
 * `MALLOC_MMAP_THRESHOLD_` took 15 MB off a million-key resume's peak). Pages never move: growing
 * allocates one more page, and a sparse index (line 9,000,000 of a file whose other keys are small)
 * costs one page, not an array up to it. Unwritten entries read as 0.
 */
type Page = Uint8Array | Uint32Array | Int32Array | Float64Array;

export class PagedArray<P extends Page> {
  readonly #pages: (P | undefined)[] = [];
  readonly #bits: number;
  readonly #mask: number;
  readonly #make: (length: number) => P;

  /** @param pageBits each page holds `2 ** pageBits` entries */
  constructor(make: (length: number) => P, pageBits = 16) {
    this.#make = make;
    this.#bits = pageBits;
    this.#mask = (1 << pageBits) - 1;
  }

  get(index: number): number {
    const page = this.#pages[index >>> this.#bits];
    return page === undefined ? 0 : page[index & this.#mask]!;
  }

  set(index: number, value: number): void {
    this.#page(index)[index & this.#mask] = value;
  }

  /** Bitwise or into a whole-number entry (flags and bitmap words). */
  or(index: number, bits: number): void {
    this.#page(index)[index & this.#mask]! |= bits;
  }

  /** Bitwise and into a whole-number entry. */
  and(index: number, bits: number): void {
    this.#page(index)[index & this.#mask]! &= bits;
  }

  #page(index: number): P {
    const at = index >>> this.#bits;
    let page = this.#pages[at];
    if (page === undefined) {
      page = this.#make(1 << this.#bits);
      this.#pages[at] = page;
    }
    return page;
  }
}
