/**
 * The Batch API executor's lifecycle in the run journal, one entry before and after each remote
 * call: a chunk planned (its items, in the order of the custom ids `i0`, `i1`, ... it sent), its
 * file uploaded, its batch created, each status seen, a cancel asked and done, its results
 * downloaded and merged; a chunk dropped before any batch existed, and an enqueued-token limit
 * lowered. `Ledger` replays them, so a rerun knows every batch it already paid for.
 */

export type BatchEntry =
  | { readonly b: 'run'; readonly run: string }
  | {
      readonly b: 'plan';
      readonly c: string;
      /** Clock time of the plan (epoch ms with the system clock), to find a batch created after it. */
      readonly at: number;
      readonly model: string;
      /** Item keys and hashes, by position: custom id `i<n>` is `keys[n]`. */
      readonly keys: readonly string[];
      readonly hashes: readonly string[];
      /** Estimated prompt tokens, for the enqueued-token limit. */
      readonly tokens: number;
    }
  | { readonly b: 'file'; readonly c: string; readonly file: string }
  | { readonly b: 'batch'; readonly c: string; readonly id: string }
  | {
      readonly b: 'status';
      readonly c: string;
      readonly s: string;
      /** total, done, failed. */
      readonly n: readonly [number, number, number];
    }
  | { readonly b: 'cancel' | 'cancelled' | 'merged'; readonly c: string }
  | { readonly b: 'downloaded'; readonly c: string; readonly ok: number; readonly failed: number }
  /** Planned, but no batch was ever created for it: its items are planned again (not an attempt). */
  | { readonly b: 'dropped'; readonly c: string; readonly why: string }
  | { readonly b: 'limit'; readonly model: string; readonly tokens: number }
  /** Auto mode: when the run first started, and the clock time it must be done by. */
  | { readonly b: 'auto'; readonly started: number; readonly deadline: number };

/** A chunk as the journal knows it. */
export interface StoredChunk {
  readonly id: string;
  readonly at: number;
  readonly model: string;
  readonly keys: readonly string[];
  readonly hashes: readonly string[];
  readonly tokens: number;
  file?: string;
  batch?: string;
  status?: string;
  /** Requests in the batch, done and failed, at its last status. */
  counts?: readonly [number, number, number];
  dropped: boolean;
  /** Its results were merged into the run by an earlier invocation. */
  merged: boolean;
}

export class Ledger {
  run: string | undefined;
  readonly chunks = new Map<string, StoredChunk>();
  /** The enqueued-token limit a failed batch taught, by model. */
  readonly limits = new Map<string, number>();
  /** Auto mode's last journaled deadline, with the run's first start. */
  auto: { readonly started: number; readonly deadline: number } | undefined;

  constructor(entries: readonly unknown[]) {
    for (const entry of entries) this.apply(entry as BatchEntry);
  }

  apply(entry: BatchEntry): void {
    if (entry.b === 'run') this.run = entry.run;
    else if (entry.b === 'limit') this.limits.set(entry.model, entry.tokens);
    else if (entry.b === 'auto') this.auto = entry;
    else if (entry.b === 'plan') {
      const { c, at, model, keys, hashes, tokens } = entry;
      this.chunks.set(c, { id: c, at, model, keys, hashes, tokens, dropped: false, merged: false });
    } else {
      const chunk = this.chunks.get(entry.c);
      if (!chunk) return;
      if (entry.b === 'file') chunk.file = entry.file;
      else if (entry.b === 'batch') chunk.batch = entry.id;
      else if (entry.b === 'status') {
        chunk.status = entry.s;
        chunk.counts = entry.n;
      } else if (entry.b === 'dropped') chunk.dropped = true;
      else if (entry.b === 'merged') chunk.merged = true;
    }
  }

  /**
   * Where each item stands: the last chunk that holds it with the same request (hash), and how
   * many batches have held it so far (dropped chunks are no attempt).
   */
  positions(): Map<string, { chunk: StoredChunk; index: number; attempts: number }> {
    const found = new Map<string, { chunk: StoredChunk; index: number; attempts: number }>();
    for (const chunk of this.chunks.values()) {
      if (chunk.dropped) continue;
      chunk.keys.forEach((key, index) => {
        const before = found.get(key);
        const same = before !== undefined && before.chunk.hashes[before.index] === chunk.hashes[index];
        found.set(key, { chunk, index, attempts: same ? before.attempts + 1 : 1 });
      });
    }
    return found;
  }
}
