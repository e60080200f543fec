/**
 * Where a settled call's outcome goes. `complete` has one caller's promise; `all` and `settle` have
 * one promise for the whole batch and a slot per call. A promise per call of a batch (with its
 * resolving functions, `Promise.all`'s own per-item callbacks, and an abort listener each for
 * fail-fast) was a third of the CPU time of a call through the zero-latency echo provider.
 */
import type { VolleyError } from '../errors.js';
import type { Abortable } from './abort-registry.js';
import type { CallResult, Settled } from './types.js';

export interface Sink {
  /** The index last, so that a promise's own resolving functions are a sink for one call. */
  fulfil(result: CallResult, index: number): void;
  fail(error: unknown, index: number): void;
}

/**
 * `all`: the results in input order, or the first failure, reported once every call of the batch
 * has settled (the others cancelled, so that their slots are given back first).
 */
export class AllCalls implements Sink {
  readonly results: CallResult[];
  /** The calls queued so far, cancelled (as by an abort) on the first failure. */
  readonly calls: Abortable[] = [];
  /** Set on the first failure: a call of the batch not started yet fails at once. */
  failed = false;
  #error: unknown;
  #remaining: number;

  constructor(
    size: number,
    private readonly resolve: (results: CallResult[]) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.results = new Array<CallResult>(size);
    this.#remaining = size;
    if (size === 0) resolve(this.results);
  }

  fulfil(result: CallResult, index: number): void {
    this.results[index] = result;
    this.#settled();
  }

  fail(error: unknown): void {
    if (!this.failed) {
      this.failed = true;
      this.#error = error;
      // Not from inside the lane that is settling this call: the cancellations settle calls of
      // their own. The next microtask is when the promise of a per-call `Promise.all` would have.
      queueMicrotask(() => {
        for (const call of this.calls) call.onAbort();
      });
    }
    this.#settled();
  }

  #settled(): void {
    if (--this.#remaining > 0) return;
    if (this.failed) this.reject(this.#error);
    else this.resolve(this.results);
  }
}

/** `settle`: one `{ ok, value }` or `{ ok: false, error }` per call, in input order, once all settled. */
export class SettleCalls implements Sink {
  readonly results: Settled<CallResult>[];
  #remaining: number;

  constructor(
    size: number,
    private readonly resolve: (results: Settled<CallResult>[]) => void,
    private readonly asError: (error: unknown) => VolleyError,
  ) {
    this.results = new Array<Settled<CallResult>>(size);
    this.#remaining = size;
    if (size === 0) resolve(this.results);
  }

  fulfil(value: CallResult, index: number): void {
    this.results[index] = { ok: true, value };
    if (--this.#remaining === 0) this.resolve(this.results);
  }

  fail(error: unknown, index: number): void {
    this.results[index] = { ok: false, error: this.asError(error) };
    if (--this.#remaining === 0) this.resolve(this.results);
  }
}
