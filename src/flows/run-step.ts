/**
 * `step.run`: a named step of the caller's own code (a lookup, a tool, a computation) with its own
 * scope for the steps it makes. Its result is journaled as JSON, so a rerun skips it and
 * everything inside it.
 */
import { isAbort, misuse, stepError } from './errors.js';
import type { Scope } from './scope.js';
import type { Step } from './types.js';

export async function runStep<T>(scope: Scope, name: string, fn: (step: Step) => Promise<T>): Promise<T> {
  const path = scope.claim(name);
  const { trace, journal, flow } = scope.context;
  const span = trace.begin('run', name, path, scope.span);
  const key = scope.context.journalKey(path);
  try {
    if (typeof fn !== 'function') throw misuse(flow, path, `run needs a function, got ${typeof fn}.`);
    const recorded = journal?.lookup(key);
    if (recorded && 'value' in recorded) {
      trace.end(span, 'cached');
      return recorded.value as T;
    }
    const inner = scope.child(path, span, scope.signal, scope.depth);
    const value = await fn(inner);
    await journal?.record({ key, value: value === undefined ? null : value });
    scope.reached(inner.depth);
    trace.end(span, 'ok');
    return value;
  } catch (error) {
    const failure = stepError(flow, path, error);
    trace.end(span, isAbort(error) ? 'cancelled' : 'error', failure);
    throw failure;
  }
}
