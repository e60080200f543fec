import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { criticalPath, formatDuration, summarize } from './critical-path.js';
import { Trace } from './trace.js';

function traceOf(
  calls: [path: string, start: number, end: number, streamedFrom?: { span: number; at: number }][],
) {
  let now = 0;
  const clock: Clock = { now: () => now, setTimer: () => () => {} };
  const trace = new Trace('t', clock);
  const root = trace.begin('flow', 't', '', undefined);
  for (const [path, start, end, streamedFrom] of calls) {
    now = start;
    const span = trace.begin('call', path, path, root);
    if (streamedFrom) span.streamedFrom = streamedFrom;
    now = end;
    trace.end(span, 'ok');
  }
  now = Math.max(...calls.map((c) => c[2])) + 100;
  trace.end(root, 'ok');
  return trace;
}

describe('critical path', () => {
  it('follows each call back to the call that ended last before it started', () => {
    const trace = traceOf([
      ['outline', 0, 900],
      ['s0', 910, 1800],
      ['s1', 910, 1950],
      ['s2', 910, 1700],
      ['intro', 1960, 2900],
    ]);
    expect(criticalPath(trace.calls()).map((p) => p.span.path)).toEqual(['intro', 's1', 'outline']);
    const summary = summarize(trace);
    expect(summary).toMatchObject({
      calls: 5,
      roundTrips: 3,
      criticalPathMs: 900 + 1040 + 940,
      makespanMs: 3000,
    });
    expect(summary.line).toBe('5 calls · 3 round trips · critical path 2.9 s · makespan 3 s');
  });

  it('counts a streamed parent only up to the arrival of the item', () => {
    const trace = traceOf([
      ['outline', 0, 1000],
      ['s0', 300, 1300, { span: 1, at: 300 }],
      ['s1', 700, 1700, { span: 1, at: 700 }],
      ['intro', 1700, 2700],
    ]);
    const path = criticalPath(trace.calls());
    expect(path.map((p) => [p.span.path, p.until])).toEqual([
      ['intro', 2700],
      ['s1', 1700],
      ['outline', 700],
    ]);
    expect(summarize(trace).criticalPathMs).toBe(2700);
  });

  it('reports an empty run and formats durations', () => {
    const trace = traceOf([]);
    expect(summarize(trace)).toMatchObject({ calls: 0, roundTrips: 0, criticalPathMs: 0 });
    expect(formatDuration(340.4)).toBe('340 ms');
    expect(formatDuration(2949)).toBe('2.9 s');
  });
});
