/**
 * `flow.batch`: many inputs through one flow on one shared client, on the run engine. At most
 * `inFlight` inputs are in flight, and the next input is read only once the caller has taken the
 * results waiting for it, so memory stays flat however many there are. The calls of every run
 * carry their step depth in their priority (`STEP_PRIORITY` in `call.ts`), so later steps of inputs already
 * under way go before the first steps of new ones. One input failing does not stop the others: it
 * is yielded with its error. With `out`, the records also go to a file, resumably (journal, lock,
 * resume by content), exactly as `volley flow` writes them. (The one place the flows reach up to
 * the engine.)
 */
import { VolleyError } from '../errors.js';
import type { FlowRecord } from '../records/types.js';
import type { BudgetLimits } from '../run/budget.js';
import { runEngine } from '../run/engine.js';
import { flowExecutor } from '../run/executors/flow.js';
import { flowReader } from '../run/executors/flow-reader.js';
import type { EndpointIdentity } from '../run/identity.js';
import type { OutputOrder } from '../run/ordered-writer.js';
import type { Prices } from '../run/types.js';
import { type FlowSummary, summarize } from './critical-path.js';
import { isVolleyErrorLike } from './errors.js';
import type { Flow } from './flow.js';
import type { FlowClient } from './run-context.js';
import type { Trace } from './trace.js';

export interface BatchOptions {
  readonly volley: FlowClient;
  /** Also write every input's record to this JSONL file, resumably. @default none */
  readonly out?: string | undefined;
  /** The run journal (steps and records). @default `<out stem>.journal.jsonl` with `out`, else none */
  readonly journal?: string | false | undefined;
  /** Failed inputs again. @default `<out stem>.errors.jsonl` with `out`, else none */
  readonly errors?: string | false | undefined;
  /** The order results come in. @default 'completion' ('input' with `out`) */
  readonly order?: OutputOrder | undefined;
  /** Stops starting inputs; those in flight are cancelled once `graceMs` has passed. */
  readonly signal?: AbortSignal | undefined;
  /** @default 0 */
  readonly graceMs?: number | undefined;
  /** Inputs in flight at once. @default 16 */
  readonly inFlight?: number | undefined;
  /** Caps for the whole run, earlier invocations included (needs `pricing`). */
  readonly budget?: BudgetLimits | undefined;
  /** Prices the calls' usage into each record's `cost_usd`. @default no prices */
  readonly pricing?: Prices | undefined;
  /** What answers the calls, for the journal. */
  readonly identity?: EndpointIdentity | undefined;
}

export type BatchResult<I, O> = {
  /** The input's place among the inputs, from 0. */
  readonly index: number;
  readonly input: I;
  /** What the output file gets for this input. */
  readonly record: FlowRecord;
  /** Undefined for a result an earlier invocation's journal gave. */
  readonly trace: Trace | undefined;
} & (
  | { readonly ok: true; readonly output: O; readonly summary: FlowSummary }
  | { readonly ok: false; readonly error: VolleyError }
);

const NO_PRICES: Prices = { cost: () => undefined };

/** The summary of a result an earlier invocation's journal gave: nothing was called for it. */
const KEPT: FlowSummary = {
  calls: 0,
  failedCalls: 0,
  cachedSteps: 0,
  roundTrips: 0,
  criticalPathMs: 0,
  makespanMs: 0,
  sequentialMs: 0,
  promptTokens: 0,
  completionTokens: 0,
  line: 'answered by an earlier run (from the journal)',
};

export async function* runBatch<I, O>(
  flow: Flow<I, O>,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: BatchOptions,
): AsyncGenerator<BatchResult<I, O>> {
  const limit = options.inFlight ?? 16;
  if (!Number.isInteger(limit) || limit < 1)
    throw new TypeError(`flow.batch: \`inFlight\` must be a whole number of at least 1, got ${limit}.`);
  checkInputs(inputs, flow.name);
  const ready: BatchResult<I, O>[] = [];
  // The caller waits for results, the input gate for the caller: one waiter each.
  let wake: (() => void) | undefined;
  let wakeGate: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const notifyGate = () => {
    const resolve = wakeGate;
    wakeGate = undefined;
    resolve?.();
  };
  // An input counts against `inFlight` until the caller has taken its result: flat memory.
  let given = 0;
  let taken = 0;
  async function* gated(): AsyncGenerator<I> {
    const iterator =
      Symbol.asyncIterator in inputs
        ? inputs[Symbol.asyncIterator]()
        : (inputs as Iterable<I>)[Symbol.iterator]();
    try {
      for (;;) {
        while (given - taken >= limit) await new Promise<void>((resolve) => (wakeGate = resolve));
        const next = await iterator.next();
        if (next.done) return;
        given++;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const hard = new AbortController();
  let finished = false;
  const run = runEngine({
    source: gated(),
    reader: flowReader(flow.name, { lines: false, identity: options.identity }),
    executor: flowExecutor(flow, options.volley),
    clock: options.volley.options.clock,
    out: options.out,
    journal: options.journal ?? (options.out === undefined ? false : undefined),
    errors: options.errors ?? (options.out === undefined ? false : undefined),
    order: options.order ?? (options.out === undefined ? 'completion' : 'input'),
    budget: options.budget,
    pricing: options.pricing ?? NO_PRICES,
    identity: options.identity,
    inFlight: limit,
    signal,
    hardSignal: hard.signal,
    graceMs: options.graceMs ?? 0,
    onRecord: (_meta, text, detail) => {
      ready.push(result<I, O>(JSON.parse(text) as FlowRecord, detail));
      notify();
    },
  }).finally(() => {
    finished = true;
    notify();
  });
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        taken++;
        notifyGate();
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const summary = await run;
    if (summary.outcome === 'fatal') throw new Error(summary.reason);
  } finally {
    // The caller stopped reading early: cancel what is in flight and wait for it.
    if (!finished) {
      hard.abort();
      stop.abort();
    }
    await run.catch(() => {});
  }
}

/** What the flow executor gives beside a record it made in this invocation. */
interface RunDetail {
  readonly input: unknown;
  readonly output?: unknown;
  readonly trace?: Trace | undefined;
  readonly error?: unknown;
}

function result<I, O>(record: FlowRecord, detail: unknown): BatchResult<I, O> {
  const fresh = detail as RunDetail | undefined;
  const base = { index: record.line - 1, input: (fresh ? fresh.input : record.input) as I, record };
  const trace = fresh?.trace;
  if (record.error === null) {
    const output = (fresh ? fresh.output : record.output) as O;
    return { ...base, ok: true, output, trace, summary: trace ? summarize(trace) : KEPT };
  }
  const error = isVolleyErrorLike(fresh?.error)
    ? fresh.error
    : new VolleyError('unexpected', record.error.message, { status: record.error.status });
  return { ...base, ok: false, error, trace };
}

function checkInputs(inputs: unknown, name: string): void {
  const iterable =
    inputs != null &&
    typeof inputs !== 'string' &&
    (typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function');
  if (!iterable)
    throw new TypeError(`flow("${name}").batch needs an array, an iterable or an async iterable of inputs.`);
}
