/**
 * The items of a streamed step as they arrive: any number of readers iterate them from the start,
 * each waiting for the next item, the end, or the error. The items can be complete before the call
 * is (a JSON array closes while the answer goes on): then readers finish at once. Each item keeps
 * the time it arrived and the depth its branch starts at, which `map` passes to the branch.
 */
import type { StreamedFrom } from './scope.js';
import type { StepStream } from './types.js';

export interface Arrival {
  /** Present when the item came from a live call (not from the journal). */
  readonly from: StreamedFrom | undefined;
  readonly depth: number;
}

const ARRIVALS = Symbol('volley.flow.arrivals');

export class ItemStream<T> implements StepStream<T> {
  readonly #items: T[] = [];
  readonly #arrivals: Arrival[] = [];
  #waiters: Array<() => void> = [];
  #end: { text: string } | { error: unknown } | undefined;
  #closed = false;
  readonly #done: Promise<string>;
  readonly #complete: Promise<T[]>;
  #settle!: { resolve: (text: string) => void; reject: (error: unknown) => void };
  #settleItems!: { resolve: (items: T[]) => void; reject: (error: unknown) => void };

  constructor() {
    this.#done = new Promise<string>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#complete = new Promise<T[]>((resolve, reject) => {
      this.#settleItems = { resolve, reject };
    });
    // Whoever reads the stream sees its error; an unread failed stream must not crash the process.
    this.#done.catch(() => {});
    this.#complete.catch(() => {});
  }

  get closed(): boolean {
    return this.#closed;
  }

  get count(): number {
    return this.#items.length;
  }

  push(item: T, arrival: Arrival): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#arrivals.push(arrival);
    this.#wake();
  }

  /** No more items will come, though the call may still be running. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settleItems.resolve([...this.#items]);
    this.#wake();
  }

  finish(text: string): void {
    this.close();
    this.#end ??= { text };
    this.#settle.resolve(text);
  }

  fail(error: unknown): void {
    this.#end ??= { error };
    this.#settle.reject(error);
    this.#settleItems.reject(error);
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (let i = 0; ; i++) {
      while (i >= this.#items.length && !this.#closed && this.#end === undefined)
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      if (i < this.#items.length) {
        yield this.#items[i]!;
        continue;
      }
      if (!this.#closed && this.#end && 'error' in this.#end) throw this.#end.error;
      return;
    }
  }

  items(): Promise<T[]> {
    return this.#complete;
  }

  text(): Promise<string> {
    return this.#done;
  }

  [ARRIVALS](index: number): Arrival | undefined {
    return this.#arrivals[index];
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** How the item at `index` of `items` arrived, when `items` is a streamed step. */
export function arrivalOf(items: unknown, index: number): Arrival | undefined {
  return items instanceof ItemStream ? items[ARRIVALS](index) : undefined;
}
