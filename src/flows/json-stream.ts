/**
 * Items of a JSON answer as it streams: the elements of one array property of the top-level
 * object (`{"sections": ["...", "..."], "audience": "..."}`), each reported as soon as it is
 * complete, while the rest of the answer is still being written.
 */
export class JsonArrayScanner {
  #text = '';
  #at = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #stringStart = -1;
  #lastKey: string | undefined;
  #inArray = false;
  #done = false;
  #elementStart = -1;

  constructor(readonly key: string) {}

  /** The array has closed: no more elements will come. */
  get done(): boolean {
    return this.#done;
  }

  /** The elements that `delta` completed. */
  push(delta: string): unknown[] {
    this.#text += delta;
    const found: unknown[] = [];
    for (; this.#at < this.#text.length; this.#at++) {
      const c = this.#text[this.#at]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.#endString();
        continue;
      }
      const element = this.#inArray && this.#depth === 2;
      if (element && this.#elementStart < 0 && !/[\s,\]]/.test(c)) this.#elementStart = this.#at;
      if (c === '"') {
        this.#inString = true;
        this.#stringStart = this.#at;
      } else if (c === '[' && this.#depth === 1 && !this.#done && this.#lastKey === this.key) {
        this.#inArray = true;
        this.#depth++;
      } else if (c === '{' || c === '[') {
        this.#depth++;
      } else if (c === '}' || c === ']') {
        if (element) this.#flush(found);
        this.#depth--;
        if (this.#inArray && this.#depth === 1) {
          this.#inArray = false;
          this.#done = true;
        }
      } else if (c === ',' && element) {
        this.#flush(found);
      }
    }
    return found;
  }

  #endString(): void {
    this.#inString = false;
    // A string directly in the top-level object is a key or a value; only a key is followed by `[`.
    if (this.#depth === 1)
      this.#lastKey = JSON.parse(this.#text.slice(this.#stringStart, this.#at + 1)) as string;
  }

  #flush(found: unknown[]): void {
    if (this.#elementStart < 0) return;
    const text = this.#text.slice(this.#elementStart, this.#at).trim();
    this.#elementStart = -1;
    try {
      found.push(JSON.parse(text));
    } catch {
      // Not valid JSON after all: the whole answer's parse will say so.
    }
  }
}

/** The elements of the array property `key` of a whole JSON answer (after the fact, e.g. from the journal). */
export function jsonArrayItems(value: unknown, key: string): unknown[] {
  const items =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(items)) throw new Error(`The answer has no "${key}" array.`);
  return items;
}
