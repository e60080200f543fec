/**
 * Where the time of a run went, from its trace alone. Plain async code does not declare which call
 * waited for which, so the dependency of a call is inferred: the call that ended last before it was
 * issued (or, in a branch started by a streamed item, the stream that delivered the item, if that
 * came later). Walking those links back from the call that ended last gives the critical path.
 */
import { formatDuration } from '../format/index.js';
import type { Span, Trace } from './trace.js';

export { formatDuration };

export interface FlowSummary {
  /** Calls made (repairs included; steps replayed from the journal make none). */
  readonly calls: number;
  /** Calls that ended in an error. */
  readonly failedCalls: number;
  /** Durable steps answered from the journal. */
  readonly cachedSteps: number;
  /** Calls on the critical path: round trips that had to happen one after another. */
  readonly roundTrips: number;
  /** Time spent in calls on the critical path (ms). */
  readonly criticalPathMs: number;
  /** Start of the run to its end (ms). */
  readonly makespanMs: number;
  /** Sum of every call's time in flight (queueing left out): about what the same calls one after another would take (ms). */
  readonly sequentialMs: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The one-line form: `5 calls · 3 round trips · critical path 2.9 s · makespan 3.0 s`. */
  readonly line: string;
}

export function summarize(trace: Trace): FlowSummary {
  const calls = trace.calls().filter((c) => c.end !== undefined);
  const path = criticalPath(calls);
  let criticalPathMs = 0;
  for (const { span, until } of path) criticalPathMs += until - span.start;
  const root = trace.root;
  const summary: Omit<FlowSummary, 'line'> = {
    calls: calls.length,
    failedCalls: calls.filter((c) => c.status === 'error').length,
    cachedSteps: trace.spans.filter((s) => s.status === 'cached' && s.kind !== 'flow').length,
    roundTrips: path.length,
    criticalPathMs,
    makespanMs: root ? (root.end ?? trace.now()) - root.start : 0,
    sequentialMs: calls.reduce((sum, c) => sum + (c.end! - c.start - (c.queuedMs ?? 0)), 0),
    promptTokens: calls.reduce((sum, c) => sum + (c.tokens?.prompt ?? 0), 0),
    completionTokens: calls.reduce((sum, c) => sum + (c.tokens?.completion ?? 0), 0),
  };
  return { ...summary, line: formatSummary(summary) };
}

/** The calls of the critical path, last first, each with the time up to which it counts. */
export function criticalPath(calls: readonly Span[]): { span: Span; until: number }[] {
  const ended = calls.filter((c) => c.end !== undefined);
  let current = ended.reduce<Span | undefined>(
    (last, c) => (!last || c.end! > last.end! ? c : last),
    undefined,
  );
  const path: { span: Span; until: number }[] = [];
  let until = current?.end ?? 0;
  while (current) {
    path.push({ span: current, until });
    const next = predecessor(current, ended);
    current = next?.span;
    until = next?.until ?? 0;
  }
  return path;
}

function predecessor(call: Span, calls: readonly Span[]): { span: Span; until: number } | undefined {
  let best: { span: Span; until: number } | undefined;
  for (const other of calls) {
    if (other !== call && other.end! <= call.start && (!best || other.end! > best.until))
      best = { span: other, until: other.end! };
  }
  const streamed = call.streamedFrom;
  const source = streamed && calls.find((c) => c.id === streamed.span);
  if (source && streamed && (!best || streamed.at > best.until)) best = { span: source, until: streamed.at };
  return best;
}

/** `5 calls · 3 round trips · critical path 2.9 s · makespan 3.0 s`, plus cached steps if any. */
export function formatSummary(summary: Omit<FlowSummary, 'line'>): string {
  const parts = [
    plural(summary.calls, 'call'),
    plural(summary.roundTrips, 'round trip'),
    `critical path ${formatDuration(summary.criticalPathMs)}`,
    `makespan ${formatDuration(summary.makespanMs)}`,
  ];
  if (summary.failedCalls > 0) parts.push(`${summary.failedCalls} failed`);
  if (summary.cachedSteps > 0) parts.push(`${plural(summary.cachedSteps, 'step')} from the journal`);
  return parts.join(' · ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
