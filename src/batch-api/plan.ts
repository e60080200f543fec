/**
 * Cutting items into batches: one model per batch, and each batch within the API's lines and
 * bytes and the model's enqueued-token limit (when one is known). Items keep their order; a
 * batch closes as soon as the next item would not fit, so every batch but the last of a model
 * is full.
 */
import type { BatchLimits } from './remote.js';

export interface Plannable {
  readonly model: string;
  /** The item's line in the batch input, newline included. */
  readonly bytes: number;
  /** Estimated prompt tokens. */
  readonly tokens: number;
}

interface Open<T> {
  items: T[];
  bytes: number;
  tokens: number;
}

export class ChunkPlanner<T extends Plannable> {
  readonly #open = new Map<string, Open<T>>();

  constructor(
    private readonly limits: BatchLimits,
    /** The enqueued-token limit of a model, if any: no batch holds more (unless one item does). */
    private readonly tokenLimit: (model: string) => number | undefined,
  ) {}

  /** Items waiting for their batch to fill. */
  get size(): number {
    let n = 0;
    for (const open of this.#open.values()) n += open.items.length;
    return n;
  }

  /** Adds an item; returns the batch it closed, if it did not fit in its model's open one. */
  add(item: T): T[] | undefined {
    const open = this.#open.get(item.model);
    if (open && this.#fits(open, item)) {
      open.items.push(item);
      open.bytes += item.bytes;
      open.tokens += item.tokens;
      return undefined;
    }
    this.#open.set(item.model, { items: [item], bytes: item.bytes, tokens: item.tokens });
    return open?.items;
  }

  /** Every open batch, as it is. */
  flush(): T[][] {
    const all = [...this.#open.values()].map((open) => open.items);
    this.#open.clear();
    return all;
  }

  /** Takes every item out without planning them (the run stops). */
  drain(): T[] {
    return this.flush().flat();
  }

  #fits(open: Open<T>, item: T): boolean {
    const limit = this.tokenLimit(item.model);
    return (
      open.items.length < this.limits.lines &&
      open.bytes + item.bytes <= this.limits.bytes &&
      (limit === undefined || open.tokens + item.tokens <= limit)
    );
  }
}
