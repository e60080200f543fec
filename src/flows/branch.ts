/**
 * One item of a `map` or branch of `all`/`settle`: runs in its own scope (its own step names, its
 * own cancellation) and always ends as ok, error or cancelled, never as an unhandled rejection.
 */
import { cancelled, isAbort, stepError } from './errors.js';
import type { Scope, StreamedFrom } from './scope.js';
import type { Span } from './trace.js';
import type { Step, StepOutcome } from './types.js';

export interface BranchStart {
  readonly parent: Scope;
  /** The `map`/`all`/`settle` span. */
  readonly group: Span;
  /** The branch's key: its index, or its property name for an object of branches. */
  readonly key: string | number;
  /** Cancels the whole group. */
  readonly signal: AbortSignal;
  readonly depth: number;
  readonly streamedFrom?: StreamedFrom | undefined;
}

export interface BranchEnd<R> {
  readonly outcome: StepOutcome<R>;
  /** Rounds of calls the branch reached: the group's own depth afterwards. */
  readonly depth: number;
}

export async function runBranch<R>(
  start: BranchStart,
  body: (step: Step) => Promise<R>,
): Promise<BranchEnd<R>> {
  const { parent, group, key, signal } = start;
  const { trace, flow } = parent.context;
  const path = `${group.path}[${key}]`;
  const span = trace.begin('item', String(key), path, group);
  const scope = parent.child(path, span, signal, start.depth, start.streamedFrom);
  try {
    if (signal.aborted) {
      trace.end(span, 'cancelled');
      return { outcome: { status: 'cancelled', error: cancelled(flow, path) }, depth: scope.depth };
    }
    const value = await body(scope);
    trace.end(span, 'ok');
    return { outcome: { status: 'ok', value }, depth: scope.depth };
  } catch (thrown) {
    if (signal.aborted && (isAbort(thrown) || thrown === signal.reason || isDomAbort(thrown))) {
      const error = isAbort(thrown) ? stepError(flow, path, thrown) : cancelled(flow, path);
      trace.end(span, 'cancelled', error);
      return { outcome: { status: 'cancelled', error }, depth: scope.depth };
    }
    const error = stepError(flow, path, thrown);
    trace.end(span, 'error', error);
    return { outcome: { status: 'error', error }, depth: scope.depth };
  }
}

/** The outcome of a branch that never started because its group was cancelled first. */
export function notStarted<R>(parent: Scope, group: Span, key: string | number): StepOutcome<R> {
  return { status: 'cancelled', error: cancelled(parent.context.flow, `${group.path}[${key}]`) };
}

function isDomAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
