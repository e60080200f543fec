/**
 * Flow traces in the report: a trace alone becomes a run of its calls; with a run record, it names
 * the step of each call and marks the calls on the critical path.
 */
import { criticalPath } from '../flows/critical-path.js';
import type { Span, TraceJSON } from '../flows/trace.js';
import type { CallTrack } from './calls.js';
import type { CallEvent, Lane, RunData } from './events.js';
import { upsert } from './maps.js';

/**
 * Flow call ids look like `flow:article#3/sections[1]/expand#5`, or `flow:article#3@line-12/...`
 * when the run names its input (see `RunContext.callId`).
 */
const FLOW_ID = /^flow:(.+?)#(\d+)(?:@([^/]*))?\/(.*)#(\d+)$/;

export interface FlowLink {
  /** The step, with map and branch indices dropped: `sections[]/expand`. */
  readonly group: string;
  /**
   * The call's own position and its input: `sections[1]/expand · line-12` (`· run 3` when the
   * input has no name), plus `#2` for a second call of one step.
   */
  readonly label: string;
  readonly critical: boolean;
}

/** The step a path belongs to, whichever item of a map it is. */
export function stepOf(path: string): string {
  return path.replace(/\[\d+\]/g, '[]') || '(flow)';
}

/** A run made of a trace's calls: each is queued at its start, waits its `queuedMs`, then flies. */
export function runFromTrace(trace: TraceJSON): RunData {
  const lanes: Lane[] = [];
  const laneOf = new Map<string, number>();
  const events: Array<{ event: CallEvent; order: number }> = [];
  const push = (event: CallEvent) => events.push({ event, order: events.length });
  let lastT = 0;
  for (const span of trace.spans) {
    if (span.kind !== 'call') continue;
    const model = span.model ?? 'unknown model';
    let lane = laneOf.get(model);
    if (lane === undefined) {
      lane = lanes.length;
      laneOf.set(model, lane);
      lanes.push({ index: lane, key: model, model, provider: undefined, baseURL: undefined });
    }
    const base = { id: `flow:${trace.flow}#0/${span.path}#${span.id + 1}`, lane, segment: 0 };
    const start = Math.round(span.start);
    const sent = Math.round(span.start + (span.queuedMs ?? 0));
    const attempts = span.attempts ?? 1;
    push({ ...base, type: 'queued', at: start, estimatedTokens: undefined });
    push({ ...base, type: 'started', at: sent, attempt: attempts });
    if (span.end === undefined || span.status === 'running') continue;
    const end = Math.max(sent, Math.round(span.end));
    lastT = Math.max(lastT, end);
    const queuedMs = Math.round(span.queuedMs ?? 0);
    if (span.status === 'ok') {
      push({
        ...base,
        type: 'finished',
        at: end,
        attempts,
        latencyMs: end - sent,
        queuedMs,
        promptTokens: span.tokens?.prompt ?? 0,
        completionTokens: span.tokens?.completion ?? 0,
        finishReason: undefined,
        model,
      });
    } else {
      push({
        ...base,
        type: 'failed',
        at: end,
        attempts,
        queuedMs,
        latencyMs: end - sent,
        code: span.error?.code ?? (span.status === 'cancelled' ? 'aborted' : 'unexpected'),
        status: undefined,
        message: span.error?.message ?? span.status,
      });
    }
  }
  events.sort((x, y) => x.event.at - y.event.at || x.order - y.order);
  const root = trace.spans[0];
  if (root?.end !== undefined) lastT = Math.max(lastT, Math.round(root.end));
  return {
    segments: [
      {
        index: 0,
        meta: { command: `flow ${trace.flow}` },
        limits: {},
        // A trace timed by the system clock starts at an epoch time; a test clock's does not.
        wall: trace.startedAt > 1e12 ? new Date(trace.startedAt).toISOString() : '',
        offset: 0,
        durationMs: lastT,
        ended: true,
      },
    ],
    lanes,
    states: [],
    events: events.map((e) => e.event),
    endT: lastT,
  };
}

interface FlowCall {
  readonly call: CallTrack;
  readonly flow: string;
  readonly run: string;
  readonly input: string | undefined;
  readonly path: string;
  readonly seq: number;
}

/**
 * Names the step of each flow call in `calls` from its id (calls of other code get no entry), and
 * with the flow's trace, marks the calls on its critical path.
 */
export function linkFlow(calls: readonly CallTrack[], trace?: TraceJSON): Map<CallTrack, FlowLink> {
  const flowCalls: FlowCall[] = [];
  for (const call of calls) {
    const m = FLOW_ID.exec(call.id);
    if (m)
      flowCalls.push({
        call,
        flow: m[1]!,
        run: m[2]!,
        input: m[3] === undefined ? undefined : decodeName(m[3]),
        path: m[4]!,
        seq: Number(m[5]),
      });
  }
  const flows = new Set(flowCalls.map((c) => c.flow));
  const runsOf = new Map<string, Set<string>>();
  for (const c of flowCalls) upsert(runsOf, c.flow, () => new Set()).add(c.run);
  // Several calls of one step in one run (repairs) are told apart by their order.
  const repeats = new Map<string, FlowCall[]>();
  for (const c of flowCalls) upsert(repeats, `${c.flow}#${c.run}/${c.path}`, () => []).push(c);
  for (const list of repeats.values()) list.sort((x, y) => x.seq - y.seq);
  const critical = trace ? criticalCalls(trace, flowCalls) : new Set<CallTrack>();
  const links = new Map<CallTrack, FlowLink>();
  for (const c of flowCalls) {
    const same = repeats.get(`${c.flow}#${c.run}/${c.path}`)!;
    let label = c.path || '(flow)';
    if (c.input !== undefined) label = `${label} · ${c.input}`;
    else if (runsOf.get(c.flow)!.size > 1) label = `${label} · run ${c.run}`;
    if (same.length > 1) label = `${label} #${same.indexOf(c) + 1}`;
    if (flows.size > 1) label = `${c.flow}: ${label}`;
    links.set(c.call, {
      group: flows.size > 1 ? `${c.flow}: ${stepOf(c.path)}` : stepOf(c.path),
      label,
      critical: critical.has(c.call),
    });
  }
  return links;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The record's calls that are the trace's critical path: its run of the flow, matched per step in order. */
function criticalCalls(trace: TraceJSON, flowCalls: readonly FlowCall[]): Set<CallTrack> {
  const spans = trace.spans.filter((s) => s.kind === 'call');
  const onPath = new Set(criticalPath(spans).map((p) => p.span.id));
  const spansByPath = new Map<string, Span[]>();
  for (const span of spans) upsert(spansByPath, span.path, () => []).push(span);
  // The trace is of one run; the record may hold several runs of the flow: take the one that matches.
  const runs = new Map<string, FlowCall[]>();
  for (const c of flowCalls) if (c.flow === trace.flow) upsert(runs, c.run, () => []).push(c);
  let chosen: FlowCall[] = [];
  for (const list of runs.values()) {
    if (list.length === spans.length) {
      chosen = list;
      break;
    }
    if (list.length > chosen.length) chosen = list;
  }
  const byPath = new Map<string, FlowCall[]>();
  for (const c of chosen) upsert(byPath, c.path, () => []).push(c);
  const critical = new Set<CallTrack>();
  for (const [path, list] of byPath) {
    list.sort((x, y) => x.seq - y.seq);
    const traced = spansByPath.get(path) ?? [];
    list.forEach((c, k) => {
      const span = traced[k];
      if (span !== undefined && onPath.has(span.id)) critical.add(c.call);
    });
  }
  return critical;
}
