/** A few typed events with listeners that cannot break the caller: a throwing listener is reported, not propagated. */
export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<(event: never) => void>>();

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => {
      set.delete(listener as (event: never) => void);
      if (set.size === 0 && this.#listeners.get(name) === set) this.#listeners.delete(name);
    };
  }

  /** True when someone listens: an event nobody hears is not built at all. */
  has(name: keyof Events): boolean {
    return this.#listeners.has(name);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        // A broken progress bar must not fail the call it reports on.
        const detail = error instanceof Error ? error.message : String(error);
        process.emitWarning(`A Volley '${String(name)}' listener threw: ${detail}`);
      }
    }
  }
}
