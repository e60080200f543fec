/**
 * `step.all` and `step.settle`: named concurrent branches, given as an array or an object of
 * functions, each in its own scope. `all` resolves with the values in the same shape or fails with
 * the first error after cancelling the other branches; `settle` gives every branch's outcome.
 */
import { runBranch } from './branch.js';
import { misuse } from './errors.js';
import type { Scope } from './scope.js';
import type { Branch as BranchFn } from './types.js';

export async function branchesStep(
  scope: Scope,
  name: string,
  kind: 'all' | 'settle',
  branches: unknown,
): Promise<unknown> {
  const path = scope.claim(name);
  const { trace, flow } = scope.context;
  const entries = branchEntries(branches);
  if (!entries) {
    throw misuse(
      flow,
      path,
      `${kind} needs an array or an object of functions, each taking a step, got ${typeof branches}.`,
    );
  }
  const group = trace.begin(kind, name, path, scope.span);
  const controller = new AbortController();
  const signal = AbortSignal.any([scope.signal, controller.signal]);
  let failure: unknown;
  const ends = await Promise.all(
    entries.map(([key, fn]) =>
      runBranch({ parent: scope, group, key, signal, depth: scope.depth }, fn).then((end) => {
        if (kind === 'all' && end.outcome.status === 'error' && failure === undefined) {
          failure = end.outcome.error;
          controller.abort();
        }
        return end;
      }),
    ),
  );
  scope.reached(Math.max(scope.depth, ...ends.map((end) => end.depth)));
  const outcomes = ends.map((end) => end.outcome);
  const firstBad = outcomes.find((o) => o.status !== 'ok');
  if (firstBad && (kind === 'all' || scope.signal.aborted)) {
    const error = failure ?? firstBad.error;
    trace.end(group, failure === undefined ? 'cancelled' : 'error', error);
    throw error;
  }
  trace.end(group, firstBad ? 'error' : 'ok');
  const shaped = kind === 'all' ? outcomes.map((o) => (o as { value: unknown }).value) : outcomes;
  return Array.isArray(branches) ? shaped : Object.fromEntries(entries.map(([key], i) => [key, shaped[i]]));
}

function branchEntries(branches: unknown): [string | number, BranchFn][] | undefined {
  if (typeof branches !== 'object' || branches === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(branches)
    ? branches.map((fn, i) => [i, fn])
    : Object.entries(branches);
  return entries.every(([, fn]) => typeof fn === 'function')
    ? (entries as [string | number, BranchFn][])
    : undefined;
}
