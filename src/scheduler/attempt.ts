import type { SendContext } from '../providers/types.js';

/**
 * One attempt's abort switch, handed to the provider as its `SendContext`. The `AbortSignal` is
 * made only when the provider first reads it: most attempts are never aborted, and a controller is
 * a good share of what a call through a zero-latency provider costs. Aborted before it was read,
 * the signal is born aborted.
 */
export class Attempt implements SendContext {
  /** A new signal per attempt: the provider needs no child signal of its own (see `SendContext`). */
  readonly ownSignal = true;
  #controller: AbortController | undefined;
  #aborted = false;
  #listener: { handleEvent(): void } | undefined;

  constructor(readonly onDelta: ((text: string) => void) | undefined) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  onAbort(listener: { handleEvent(): void }): void {
    if (this.#aborted) listener.handleEvent();
    else this.#listener = listener;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.handleEvent();
  }
}
