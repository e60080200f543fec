/**
 * `flow(name, fn)`: a prompt chain written as plain async code. `run` gives the output with the
 * run's trace and summary; `batch` runs many inputs through one shared client (see `batch.ts`).
 */
import { type BatchOptions, type BatchResult, runBatch } from './batch.js';
import { type FlowSummary, summarize } from './critical-path.js';
import { FlowJournal, hashInput, type StepJournal } from './durable.js';
import { isAbort, stepError } from './errors.js';
import { type FlowClient, RunContext } from './run-context.js';
import { Scope } from './scope.js';
import { Trace } from './trace.js';
import type { Step } from './types.js';

export interface RunOptions {
  /** The shared client every call goes through. */
  readonly volley: FlowClient;
  /** A journal (or its path) that makes steps durable: a rerun on the same input skips recorded steps. */
  readonly journal?: StepJournal | string | undefined;
  /** Cancels the run: calls queued or in flight are cancelled and the run fails with `aborted`. */
  readonly signal?: AbortSignal | undefined;
  /** Added to the priority of every call of the run. @default 0 */
  readonly priority?: number | undefined;
  /**
   * Names the input in the run's call ids (`flow:article#3@line-12/outline#1`), so the report's
   * timeline says which input each call was for. `volley flow` and `flow.batch` pass its key.
   */
  readonly inputName?: string | undefined;
}

export interface FlowRun<O> {
  readonly output: O;
  /** Every span of the run; `JSON.stringify(trace)` gives it as JSON. */
  readonly trace: Trace;
  /** Calls, round trips, critical path and makespan; `summary.line` is the one-line form. */
  readonly summary: FlowSummary;
}

export interface Flow<I, O> {
  readonly name: string;
  readonly [FLOW]: true;
  run(input: I, options: RunOptions): Promise<FlowRun<O>>;
  /** Many inputs, pipelined on one client; yields each input's result as it finishes. */
  batch(inputs: Iterable<I> | AsyncIterable<I>, options: BatchOptions): AsyncGenerator<BatchResult<I, O>>;
}

/** Marks flows, also across copies of this package (a flow module loaded by the CLI). */
const FLOW: unique symbol = Symbol.for('volley.flow');

export function flow<I, O>(name: string, fn: (input: I, step: Step) => Promise<O>): Flow<I, O> {
  if (typeof name !== 'string' || name === '' || name.includes('/'))
    throw new TypeError(`A flow needs a name without "/", got ${JSON.stringify(name)}.`);
  if (typeof fn !== 'function') throw new TypeError(`flow("${name}") needs an async function (input, step).`);
  const self: Flow<I, O> = {
    name,
    [FLOW]: true,
    run: (input, options) => runFlow(name, fn, input, options),
    batch: (inputs, options) => runBatch(self, inputs, options),
  };
  return self;
}

export function isFlow(value: unknown): value is Flow<unknown, unknown> {
  return typeof value === 'object' && value !== null && (value as { [FLOW]?: unknown })[FLOW] === true;
}

async function runFlow<I, O>(
  name: string,
  fn: (input: I, step: Step) => Promise<O>,
  input: I,
  options: RunOptions,
): Promise<FlowRun<O>> {
  const volley = options?.volley;
  if (!volley || typeof volley.complete !== 'function')
    throw new TypeError(`flow("${name}").run(input, { volley }) needs a Volley client.`);
  const opened = typeof options.journal === 'string' ? await FlowJournal.open(options.journal) : undefined;
  const journal = opened ?? (options.journal as StepJournal | undefined);
  const trace = new Trace(name, volley.options.clock);
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const context = new RunContext(
    name,
    volley,
    trace,
    journal,
    hashInput(input),
    options.priority ?? 0,
    options.inputName,
  );
  const root = trace.begin('flow', name, '', undefined);
  try {
    const output = await fn(input, new Scope(context, '', root, signal, 0));
    await context.settled();
    if (context.lateFailure !== undefined) throw context.lateFailure;
    trace.end(root, 'ok');
    return { output, trace, summary: summarize(trace) };
  } catch (error) {
    controller.abort(); // calls the run started and no longer needs
    await context.settled();
    const failure = stepError(name, '', error);
    trace.end(root, isAbort(error) ? 'cancelled' : 'error', failure);
    failure.trace = trace;
    throw failure;
  } finally {
    await opened?.close();
  }
}
