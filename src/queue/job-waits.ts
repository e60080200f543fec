/**
 * The call jobs a coordinator waits for, and how each gets its answer: the completion event, or a
 * lookup when an event may have been missed. After a Redis restart (and every `sweepMs`) every job
 * still out is looked up: answered ones are taken, and lost ones (a Redis without persistence
 * forgets them) are added again under the same id. Both the `queue` executor (`volley run`) and the
 * queue client of a flow (`volley flow --queue`) wait through this.
 */
import type { Clock } from '../clock.js';
import type { CallQueue, JobLookup } from './call-queue.js';
import type { CallJobData, CallJobResult } from './protocol.js';

interface Waiting {
  readonly data: CallJobData;
  /** With the answer, or undefined when the caller gave up on it (`giveUp`). */
  readonly settle: (result: CallJobResult | undefined) => void;
}

export class JobWaits {
  readonly #waiting = new Map<string, Waiting>();
  #closed = false;
  #cancelSweep: (() => void) | undefined;

  constructor(
    private readonly queue: CallQueue,
    private readonly clock: Clock,
    private readonly sweepMs = 10_000,
  ) {
    queue.onCompleted((id, result) => this.#finish(id, result));
    queue.onReconnect(() => void this.sweep().catch(() => {}));
    this.#arm();
  }

  /** Waits for job `id` (added by the caller): `settle` is called once, with the first answer. */
  wait(id: string, data: CallJobData, settle: Waiting['settle']): void {
    this.#waiting.set(id, { data, settle });
  }

  /** Stops waiting for `id`, settling it with undefined (unless it was answered already). */
  giveUp(id: string): void {
    const entry = this.#waiting.get(id);
    if (!entry) return;
    this.#waiting.delete(id);
    entry.settle(undefined);
  }

  has(id: string): boolean {
    return this.#waiting.has(id);
  }

  ids(): string[] {
    return [...this.#waiting.keys()];
  }

  /** Takes what lookups found: answered jobs settle, failed ones settle as an error result. */
  apply(found: ReadonlyMap<string, JobLookup>): void {
    for (const [id, entry] of found) {
      if (entry.state === 'completed') this.#finish(id, entry.result);
      if (entry.state === 'failed')
        this.#finish(id, { ok: false, error: { code: 'unexpected', message: entry.reason, attempts: 0 } });
    }
  }

  async sweep(): Promise<void> {
    const ids = this.ids();
    for (let i = 0; i < ids.length && !this.#closed; i += 500) {
      const found = await this.queue.lookup(ids.slice(i, i + 500));
      const lost: { id: string; data: CallJobData }[] = [];
      for (const [id, entry] of found) {
        const waiting = this.#waiting.get(id);
        if (entry.state === 'missing' && waiting) lost.push({ id, data: waiting.data });
      }
      this.apply(found);
      await this.queue.add(lost);
    }
  }

  close(): void {
    this.#closed = true;
    this.#cancelSweep?.();
  }

  #finish(id: string, result: CallJobResult): void {
    const entry = this.#waiting.get(id);
    if (!entry || this.#closed) return; // another run's job, or a second delivery: the first counted
    this.#waiting.delete(id);
    entry.settle(result);
  }

  #arm(): void {
    this.#cancelSweep = this.clock.setTimer(() => {
      void this.sweep()
        .catch(() => {})
        .finally(() => {
          if (!this.#closed) this.#arm();
        });
    }, this.sweepMs);
  }
}
