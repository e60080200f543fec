/**
 * `step.map` / `step.mapSettled`: a branch per item, each started as soon as its item is there (at
 * once for an array, on arrival for a stream), at most `concurrency` at a time. The limit is this
 * map's own and nothing is held while a branch waits for its own children, so nested maps cannot
 * deadlock. `map` fails fast: the first error cancels the other items, which end as cancelled.
 */
import { type BranchEnd, notStarted, runBranch } from './branch.js';
import { misuse, stepError } from './errors.js';
import { arrivalOf } from './item-stream.js';
import type { Scope } from './scope.js';
import type { MapOptions, Step, StepOutcome } from './types.js';

export type MapMode = 'fail-fast' | 'settle';

export async function mapStep<T, R>(
  scope: Scope,
  name: string,
  items: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, step: Step, index: number) => Promise<R>,
  options: MapOptions,
  mode: MapMode,
): Promise<StepOutcome<R>[]> {
  const path = scope.claim(name);
  const { trace, flow } = scope.context;
  const sync = isIterable(items);
  if (!sync && !isAsyncIterable(items))
    throw misuse(
      flow,
      path,
      `map needs an array, an iterable or an async iterable of items, got ${describe(items)}.`,
    );
  if (typeof fn !== 'function')
    throw misuse(flow, path, `map needs a function to run per item, got ${describe(fn)}.`);
  const limit = options.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 1) || (Number.isFinite(limit) && !Number.isInteger(limit)))
    throw misuse(flow, path, `\`concurrency\` must be a whole number of at least 1, got ${String(limit)}.`);

  const group = trace.begin('map', name, path, scope.span);
  const controller = new AbortController();
  const signal = AbortSignal.any([scope.signal, controller.signal]);
  const outcomes: StepOutcome<R>[] = [];
  const running = new Set<Promise<unknown>>();
  const depth = scope.depth;
  let reached = depth;
  let failure: unknown;

  const start = (item: T, index: number) => {
    const arrival = arrivalOf(items, index);
    const branch = runBranch(
      {
        parent: scope,
        group,
        key: index,
        signal,
        depth: arrival?.depth ?? depth,
        streamedFrom: arrival?.from,
      },
      (step) => fn(item, step, index),
    ).then(({ outcome, depth: branchDepth }: BranchEnd<R>) => {
      outcomes[index] = outcome;
      reached = Math.max(reached, branchDepth);
      if (outcome.status === 'error' && mode === 'fail-fast' && failure === undefined) {
        failure = outcome.error;
        controller.abort();
      }
      running.delete(branch);
    });
    running.add(branch);
  };
  const next = async (item: T, index: number): Promise<void> => {
    while (running.size >= limit) await Promise.race(running);
    if (signal.aborted) outcomes[index] = notStarted(scope, group, index);
    else start(item, index);
  };

  let index = 0;
  try {
    if (sync) {
      for (const item of items) {
        if (signal.aborted && !Array.isArray(items)) break;
        await next(item, index++);
      }
    } else {
      for await (const item of items) {
        if (signal.aborted) break;
        await next(item, index++);
      }
    }
  } catch (error) {
    // The items themselves failed (a streamed step's call, or a generator): the map cannot finish.
    failure ??= stepError(flow, path, error);
    controller.abort();
  }
  while (running.size > 0) await Promise.race(running);
  scope.reached(reached);

  const firstBad = outcomes.find((o) => o.status !== 'ok');
  // Settled items are reported one by one, unless the map itself was cancelled (its run aborted).
  const thrown = failure ?? (mode === 'fail-fast' || scope.signal.aborted ? firstBad?.error : undefined);
  if (thrown !== undefined) {
    trace.end(group, signal.aborted && failure === undefined ? 'cancelled' : 'error', thrown);
    throw thrown;
  }
  trace.end(group, firstBad ? 'error' : 'ok');
  return outcomes;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value != null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' &&
    typeof value !== 'string'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string (pass an array of items, e.g. from parseList)';
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}
