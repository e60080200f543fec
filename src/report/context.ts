/**
 * What every panel of the report reads: the run, its tally, its calls rebuilt, when each lane was
 * held back by a limit, and the flow steps of its calls. Built once per report (`page.ts`).
 */
import type { TraceJSON } from '../flows/trace.js';
import { Pricing } from '../pricing/index.js';
import { BACKOFF, type CallTrack, DONE, FAILED, FLIGHT, rebuildCalls, type SegmentKind } from './calls.js';
import { laneLabel, type RunData } from './events.js';
import { type FlowLink, linkFlow } from './flow-trace.js';
import { upsert } from './maps.js';
import { LIMIT_REASONS } from './record-format.js';
import { type RunTally, tallyRun } from './run-tally.js';
import { mergeIntervals } from './series.js';

export interface ReportOptions {
  /** Calls up to which the timeline draws one row per call; past it, calls by state. @default 1000 */
  readonly maxRows?: number | undefined;
  /** Most time buckets in the charts. @default 120 */
  readonly maxBuckets?: number | undefined;
  /** Failed calls listed one by one; the rest are counted by reason. @default 100 */
  readonly maxFailures?: number | undefined;
  /** @default the built-in price table */
  readonly pricing?: Pricing | undefined;
  /** The flow's trace: groups the timeline by step and marks the critical path. */
  readonly trace?: TraceJSON | undefined;
  /** Where the run came from, for the page. */
  readonly source?: string | undefined;
}

export type Intervals = ReadonlyArray<readonly [number, number]>;

export interface ReportContext {
  readonly run: RunData;
  readonly tally: RunTally;
  readonly calls: readonly CallTrack[];
  /** Per lane, when it was held back by rpm, tpm or a 429 pause: sorted, disjoint. */
  readonly held: ReadonlyMap<number, Intervals>;
  readonly links: ReadonlyMap<CallTrack, FlowLink>;
  readonly endT: number;
  readonly options: ReportOptions;
  readonly pricing: Pricing;
  /** A call as a person reads it: its flow step, or its id. */
  label(call: CallTrack): string;
  /** The model that answered, or its lane's. */
  modelOf(call: CallTrack): string;
  laneName(lane: number): string;
}

export const KIND_NAMES: Record<number, SegmentKind> = {
  [FLIGHT]: 'flight',
  [BACKOFF]: 'backoff',
  [DONE]: 'done',
  [FAILED]: 'failed',
};

export function reportContext(run: RunData, options: ReportOptions = {}): ReportContext {
  const pricing = options.pricing ?? new Pricing();
  const endT = Math.max(run.endT, 1);
  const { calls, pauses } = rebuildCalls(run);
  const links = linkFlow(calls, options.trace);
  return {
    run,
    tally: tallyRun(run, pricing),
    calls,
    held: heldIntervals(run, pauses, endT),
    links,
    endT,
    options,
    pricing,
    label: (call) => links.get(call)?.label ?? call.id,
    modelOf: (call) => call.model ?? run.lanes[call.lane]?.model ?? 'unknown model',
    laneName: (lane) => {
      const l = run.lanes[lane];
      return l ? laneLabel(l) : `lane ${lane}`;
    },
  };
}

/** A lane state's reason holds until the lane's next state (or the end of its invocation). */
function heldIntervals(
  run: RunData,
  pauses: ReadonlyMap<number, Intervals>,
  endT: number,
): Map<number, Array<[number, number]>> {
  const perLane = new Map<number, Array<readonly [number, number]>>();
  const byLane = new Map<number, RunData['states']>();
  for (const s of run.states) upsert(byLane, s.lane, () => []).push(s);
  for (const [lane, states] of byLane) {
    states.forEach((s, k) => {
      const next = states[k + 1];
      const seg = run.segments[s.segment];
      const segEnd = seg ? seg.offset + seg.durationMs : endT;
      const until = next && next.segment === s.segment ? next.at : segEnd;
      const paused = s.pausedUntil !== undefined && s.pausedUntil > s.at;
      if ((s.waitingFor !== undefined && LIMIT_REASONS.has(s.waitingFor)) || paused)
        upsert(perLane, lane, () => []).push([s.at, Math.max(until, s.pausedUntil ?? until)]);
    });
  }
  for (const [lane, intervals] of pauses) upsert(perLane, lane, () => []).push(...intervals);
  const merged = new Map<number, Array<[number, number]>>();
  for (const [lane, intervals] of perLane) merged.set(lane, mergeIntervals(intervals));
  return merged;
}
