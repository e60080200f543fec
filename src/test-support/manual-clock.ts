import type { Clock } from '../clock.js';

/** A clock that only moves when a test calls `advance`; timers fire in time order. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();

  /** `start` is where time begins: an epoch time when a test reads timestamps (RFC 3339 resets). */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.#seq++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return () => this.#timers.delete(id);
  }

  /** Moves time forward by `ms`, firing due timers (and the microtasks they queue) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > end) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
    }
    this.#now = end;
    await flushMicrotasks();
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the earliest timer is due; undefined when none is armed. */
  get nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.#timers.values()) if (next === undefined || at < next) next = at;
    return next;
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * Advances `clock` in `stepMs` steps until `promise` settles (or `limitMs` has passed), yielding to
 * the event loop between steps so that code outside Volley (an SDK reading a response body) gets
 * its turns; resolves or rejects as `promise` does. The time it took is `clock.now()` after.
 */
export async function settleOn<T>(
  clock: ManualClock,
  promise: Promise<T>,
  { stepMs = 1, limitMs = 600_000 }: { stepMs?: number; limitMs?: number } = {},
): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  promise.then(mark, mark);
  for (let t = 0; t < limitMs && !settled; t += stepMs) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!settled) await clock.advance(stepMs);
  }
  return promise;
}
