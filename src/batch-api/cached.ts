/**
 * The response cache on the Batch API path: a line whose request was answered before (by a
 * batch or a realtime call: the key is the same) is answered from the cache before anything is
 * uploaded, at no cost; every answer a batch brings back is stored. Stores are tracked so that
 * the run waits for them before it ends.
 */

import { hitResult } from '../cache/hit.js';
import { bodyKey } from '../cache/key.js';
import type { ResponseCache } from '../cache/store.js';
import type { Provider } from '../providers/types.js';
import type { OutputRecord } from '../records/types.js';
import { resultRecord } from '../run/executors/call-records.js';
import type { Member } from './member.js';

export class BatchCache {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly cache: ResponseCache,
    private readonly provider: Provider,
  ) {}

  /** The `cached: true` record of `member` when the cache answers it, else undefined. */
  async lookup(member: Member, now: () => number): Promise<OutputRecord | undefined> {
    const { item } = member;
    const entry = await this.cache.get(bodyKey(this.provider, member.model, member.body));
    const result = entry && hitResult(this.provider, item.key, entry, now());
    return result && resultRecord(item.line, item.key, result, 0);
  }

  /** Keeps a line's answer; only answers its record read as a success get here. */
  store(
    member: Member,
    answer: { readonly body: unknown; readonly requestId: string | null },
    model: string,
  ): void {
    const key = bodyKey(this.provider, member.model, member.body);
    const put = this.cache.put(key, { body: answer.body, model, requestID: answer.requestId ?? undefined });
    this.#pending.add(put);
    void put.finally(() => this.#pending.delete(put));
  }

  /** Resolves once every store started so far is done (stores never reject). */
  async drained(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
