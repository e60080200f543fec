/** What every step of one run shares: the client, the trace, the journal and the run's identity. */
import type { Volley } from '../client/volley.js';
import type { Clock } from '../clock.js';
import { journalKey, type StepJournal } from './durable.js';
import type { Trace } from './trace.js';

/** The part of a `Volley` a flow uses (structural, so a client from another copy of Volley works too). */
export type FlowClient = Pick<Volley, 'complete' | 'on'> & { readonly options: { readonly clock: Clock } };

let runs = 0;

export class RunContext {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #id = ++runs;
  #calls = 0;
  /** A step that failed after its results were handed on (a stream whose items were complete). */
  lateFailure: unknown;

  constructor(
    readonly flow: string,
    readonly volley: FlowClient,
    readonly trace: Trace,
    readonly journal: StepJournal | undefined,
    readonly inputHash: string,
    /** Added to every call's priority (`flow.batch` leaves it at 0). */
    readonly basePriority: number,
    /** The input's name (its key in a batch), for the call ids. */
    readonly inputName?: string | undefined,
  ) {}

  /**
   * A call id unique within the client, readable in events: `flow:article#3/sections[1]/expand#4`,
   * or `flow:article#3@line-12/...` with the input's name (escaped: it may hold `/` or `#`).
   */
  callId(path: string): string {
    const input = this.inputName === undefined ? '' : `@${encodeURIComponent(this.inputName)}`;
    return `flow:${this.flow}#${this.#id}${input}/${path}#${++this.#calls}`;
  }

  journalKey(path: string): string {
    return journalKey(this.flow, this.inputHash, path);
  }

  /** Keeps work the run started (a stream's call) so that the run waits for it before it ends. */
  track(promise: Promise<unknown>): void {
    const settled = promise.then(
      () => {},
      () => {},
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }

  /** Resolves once everything tracked has settled, including work started meanwhile. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
