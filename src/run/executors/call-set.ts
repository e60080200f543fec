/**
 * The calls of a run that are queued or in flight, each with its own cancel switch, so that a
 * stopping run can drop the calls not yet sent (and any retry not yet due) while the ones on the
 * wire finish: "stop taking new work" without throwing away answers already being paid for.
 *
 * A new `AbortController` per call would cost more than the rest of a zero-latency call, so calls
 * use numbered slots whose controllers are reused once their call has ended without an abort.
 */
import type { Volley } from '../../client/volley.js';

export class CallSet {
  /** Call id to slot: a retry event finds its call at once. */
  readonly #slots = new Map<string, number>();
  readonly #controllers: AbortController[] = [];
  readonly #free: number[] = [];
  #stopping = false;
  readonly #unsubscribe: () => void;

  constructor(private readonly volley: Volley) {
    // A call that failed while the run was stopping would otherwise be retried: new work.
    this.#unsubscribe = volley.on('retried', (event) => {
      if (!this.#stopping) return;
      const slot = this.#slots.get(event.id);
      if (slot !== undefined) this.#controllers[slot]!.abort();
    });
  }

  /** A slot for a new call; `signal(slot)` cancels it, `end(id, slot)` gives the slot back. */
  begin(id: string): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#controllers.length;
      this.#controllers.push(new AbortController());
    }
    this.#slots.set(id, slot);
    return slot;
  }

  signal(slot: number): AbortSignal {
    return this.#controllers[slot]!.signal;
  }

  end(id: string, slot: number): void {
    if (this.#controllers[slot]!.signal.aborted) this.#controllers[slot] = new AbortController();
    this.#slots.delete(id);
    this.#free.push(slot);
  }

  /** Cancels every call that is still waiting (queued, backing off, paused); in-flight ones go on. */
  stopWaiting(): void {
    this.#stopping = true;
    this.volley.clearQueued((id) => this.#slots.has(id));
  }

  /** Cancels everything, in flight included: the grace period is over. */
  cancelAll(): void {
    this.#stopping = true;
    for (const slot of this.#slots.values()) this.#controllers[slot]!.abort();
  }

  dispose(): void {
    this.#unsubscribe();
  }
}
