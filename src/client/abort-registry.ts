/**
 * One abort listener per signal, however many calls share it. A batch passes the same signal to
 * thousands of calls; a listener each would make every `addEventListener` scan all the others.
 */
export class AbortRegistry {
  readonly #watched = new Map<AbortSignal, { callbacks: Set<() => void>; onAbort: () => void }>();

  /** Calls `callback` when `signal` aborts; the returned function stops watching. */
  watch(signal: AbortSignal, callback: () => void): () => void {
    let entry = this.#watched.get(signal);
    if (!entry) {
      const callbacks = new Set<() => void>();
      const onAbort = () => {
        this.#watched.delete(signal);
        for (const fn of callbacks) fn();
      };
      entry = { callbacks, onAbort };
      this.#watched.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const { callbacks } = entry;
    callbacks.add(callback);
    return () => {
      callbacks.delete(callback);
      if (callbacks.size === 0 && this.#watched.get(signal) === entry) {
        this.#watched.delete(signal);
        signal.removeEventListener('abort', entry.onAbort);
      }
    };
  }
}
