/**
 * `flow.batch`: many inputs through one flow on one shared client. At most `concurrency` inputs
 * are in flight, so memory stays flat however many there are; the calls of every run carry their
 * step depth as priority, so later steps of inputs already under way go before the first steps of
 * new ones (partial work finishes first, and the rate limit stays full). One input failing does not
 * stop the others: it is yielded with its error.
 */
import type { VolleyError } from '../errors.js';
import type { FlowSummary } from './critical-path.js';
import { FlowJournal } from './durable.js';
import { stepError } from './errors.js';
import type { Flow } from './flow.js';
import type { FlowClient } from './run-context.js';
import type { Trace } from './trace.js';

export interface BatchOptions {
  readonly volley: FlowClient;
  /** One journal for the whole batch (keys include each input's hash), or its path. */
  readonly journal?: FlowJournal | string | undefined;
  /** Stops starting inputs and cancels those in flight. */
  readonly signal?: AbortSignal | undefined;
  /** Inputs in flight at once. @default 16 */
  readonly concurrency?: number | undefined;
}

export type BatchResult<I, O> = { readonly index: number; readonly input: I } & (
  | { readonly ok: true; readonly output: O; readonly trace: Trace; readonly summary: FlowSummary }
  | { readonly ok: false; readonly error: VolleyError; readonly trace: Trace | undefined }
);

export async function* runBatch<I, O>(
  flow: Flow<I, O>,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: BatchOptions,
): AsyncGenerator<BatchResult<I, O>> {
  const limit = options.concurrency ?? 16;
  if (!Number.isInteger(limit) || limit < 1)
    throw new TypeError(`flow.batch: \`concurrency\` must be a whole number of at least 1, got ${limit}.`);
  const iterator = inputIterator(inputs, flow.name);
  const own = typeof options.journal === 'string';
  const journal =
    typeof options.journal === 'string' ? await FlowJournal.open(options.journal) : options.journal;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const finished: BatchResult<I, O>[] = [];
  const running = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let exhausted = false;
  let index = 0;

  const start = (input: I, i: number) => {
    const run = flow.run(input, { volley: options.volley, journal, signal }).then(
      ({ output, trace, summary }) => finished.push({ index: i, input, ok: true, output, trace, summary }),
      (thrown: unknown) => {
        const error = stepError(flow.name, '', thrown);
        finished.push({ index: i, input, ok: false, error, trace: (error as { trace?: Trace }).trace });
      },
    );
    const tracked = run.then(() => {
      running.delete(tracked);
      wake?.();
    });
    running.add(tracked);
  };

  try {
    for (;;) {
      while (!exhausted && running.size < limit && !signal.aborted) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else start(next.value, index++);
      }
      const result = finished.shift();
      if (result) {
        yield result;
        continue;
      }
      if (running.size === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // Normal end: nothing is running. Early end (the caller stopped reading, or the inputs failed):
    // cancel what is in flight and wait for it.
    controller.abort();
    while (running.size > 0) await Promise.all([...running]);
    if (own) await journal?.close();
  }
}

function inputIterator<I>(
  inputs: Iterable<I> | AsyncIterable<I>,
  name: string,
): AsyncIterator<I> | Iterator<I> {
  if (inputs != null && typeof (inputs as AsyncIterable<I>)[Symbol.asyncIterator] === 'function')
    return (inputs as AsyncIterable<I>)[Symbol.asyncIterator]();
  if (
    inputs != null &&
    typeof (inputs as Iterable<I>)[Symbol.iterator] === 'function' &&
    typeof inputs !== 'string'
  )
    return (inputs as Iterable<I>)[Symbol.iterator]();
  throw new TypeError(`flow("${name}").batch needs an array, an iterable or an async iterable of inputs.`);
}
