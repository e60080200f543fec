/** What an abort reaches: a call's job, without a closure per call. */
export interface Abortable {
  onAbort(): void;
}

/**
 * One abort listener per signal, however many calls share it. A batch passes the same signal to
 * thousands of calls; a listener each would make every `addEventListener` scan all the others.
 */
export class AbortRegistry {
  readonly #watched = new Map<AbortSignal, { targets: Set<Abortable>; onAbort: () => void }>();

  /** Calls `target.onAbort()` when `signal` aborts, until `unwatch`. */
  watch(signal: AbortSignal, target: Abortable): void {
    let entry = this.#watched.get(signal);
    if (!entry) {
      const targets = new Set<Abortable>();
      const onAbort = () => {
        this.#watched.delete(signal);
        for (const each of targets) each.onAbort();
      };
      entry = { targets, onAbort };
      this.#watched.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.targets.add(target);
  }

  unwatch(signal: AbortSignal, target: Abortable): void {
    const entry = this.#watched.get(signal);
    if (!entry) return;
    entry.targets.delete(target);
    if (entry.targets.size === 0) {
      this.#watched.delete(signal);
      signal.removeEventListener('abort', entry.onAbort);
    }
  }
}
