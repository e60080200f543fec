/**
 * Everything the report shows, computed from a run (and optionally a flow trace), with no HTML in
 * sight: totals, the timeline rows (sampled for large runs), per-minute series against the limits,
 * latency percentiles, cost by model and step, and the failures. Pure and deterministic.
 */

import type { TraceJSON } from '../flows/trace.js';
import { Pricing } from '../pricing/index.js';
import {
  BACKOFF,
  type CallStatus,
  type CallTrack,
  DONE,
  FAILED,
  FLIGHT,
  rebuildCalls,
  type SegmentKind,
  WAIT,
} from './calls.js';
import { type FlowLink, linkFlow } from './flow-trace.js';
import { type ConfiguredLimits, LIMIT_REASONS, type RunMeta, type SnapshotRecord } from './format.js';
import { upsert } from './maps.js';
import type { RunData } from './read.js';
import {
  bucketOf,
  Coverage,
  chooseBuckets,
  mergeIntervals,
  NumberList,
  type Percentiles,
  percentiles,
  splitByIntervals,
} from './series.js';

export interface AggregateOptions {
  /** Most timeline rows drawn; a larger run is sampled. @default 2000 */
  readonly maxRows?: number | undefined;
  /** Most time buckets in the charts. @default 120 */
  readonly maxBuckets?: number | undefined;
  /** Failed calls listed one by one; the rest are counted by reason. @default 100 */
  readonly maxFailures?: number | undefined;
  readonly pricing?: Pricing | undefined;
  /** The flow's trace: groups the timeline by step and marks the critical path. */
  readonly trace?: TraceJSON | undefined;
  /** Where the run came from, for the page. */
  readonly source?: string | undefined;
}

export interface Totals {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  /** Queued or in flight when the record ends. */
  readonly unfinished: number;
  readonly attempts: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Undefined when no call's model has a price. */
  readonly costUsd: number | undefined;
  readonly unpricedModels: readonly string[];
}

export interface TimelineRow {
  readonly id: string;
  readonly label: string;
  readonly model: string;
  readonly status: CallStatus;
  readonly start: number;
  readonly end: number;
  readonly attempts: number;
  readonly latencyMs: number | undefined;
  readonly queuedMs: number | undefined;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly error: { readonly code: string; readonly status?: number; readonly message: string } | undefined;
  readonly segments: ReadonlyArray<readonly [SegmentKind, number, number]>;
  readonly critical: boolean;
}

export interface TimelineGroup {
  readonly label: string;
  readonly rows: readonly TimelineRow[];
  /** Calls of this step in the whole run (rows may be a sample). */
  readonly calls: number;
  readonly critical: number;
}

export interface Timeline {
  /** One group with an empty label unless a flow trace groups the rows by step. */
  readonly groups: readonly TimelineGroup[];
  readonly shown: number;
  readonly total: number;
  /** Says how the rows were sampled, when they were. */
  readonly sampling: string | undefined;
  readonly endMs: number;
  /** Calls on the critical path (0 without a flow trace). */
  readonly critical: number;
}

export interface Series {
  readonly bucketMs: number;
  readonly count: number;
  /** The rates are averaged over this window, centred on each bucket (ms). */
  readonly rateWindowMs: number;
  /** Per-minute rates per bucket. */
  readonly sentPerMin: number[];
  readonly donePerMin: number[];
  readonly tokensPerMin: number[];
  /** Counts per bucket. */
  readonly rateLimited: number[];
  readonly retries: number[];
  readonly failures: number[];
  /** Limits in force (the lanes' sum), undefined where unknown. */
  readonly rpmLimit: Array<number | undefined>;
  readonly tpmLimit: Array<number | undefined>;
  /** Average number of calls in each state over each bucket. */
  readonly states: Readonly<Record<'queued' | 'limit' | 'flight' | 'backoff', number[]>>;
}

export interface LatencyRow {
  readonly label: string;
  readonly latency: Percentiles | undefined;
  readonly queued: Percentiles | undefined;
  readonly total: Percentiles | undefined;
}

export interface CostRow {
  readonly label: string;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Undefined when none of its calls' models has a price. */
  readonly costUsd: number | undefined;
  /** Some calls had no price: `costUsd` leaves them out. */
  readonly partial: boolean;
}

export interface FailureGroup {
  readonly code: string;
  readonly status: number | undefined;
  readonly message: string;
  readonly count: number;
  readonly examples: readonly string[];
}

export interface Failure {
  readonly id: string;
  readonly label: string;
  readonly at: number;
  readonly attempts: number;
  readonly code: string;
  readonly status: number | undefined;
  readonly message: string;
}

export interface LaneSummary {
  readonly key: string;
  readonly model: string;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly concurrency: number | undefined;
}

export interface ReportModel {
  readonly title: string;
  readonly source: string | undefined;
  readonly meta: RunMeta;
  readonly wall: string;
  readonly limits: ConfiguredLimits;
  readonly lanes: readonly LaneSummary[];
  readonly durationMs: number;
  readonly finished: boolean;
  readonly earlierRuns: number;
  readonly totals: Totals;
  readonly timeline: Timeline;
  readonly series: Series;
  readonly latency: readonly LatencyRow[];
  readonly costByModel: readonly CostRow[];
  readonly costByStep: readonly CostRow[];
  readonly failureGroups: readonly FailureGroup[];
  readonly failures: readonly Failure[];
  readonly retryReasons: ReadonlyArray<{
    readonly code: string;
    readonly status: number | undefined;
    readonly count: number;
  }>;
  readonly notes: readonly string[];
}

const KIND_NAMES: Record<number, SegmentKind> = {
  [FLIGHT]: 'flight',
  [BACKOFF]: 'backoff',
  [DONE]: 'done',
  [FAILED]: 'failed',
};

export function aggregate(run: RunData, options: AggregateOptions = {}): ReportModel {
  const maxRows = options.maxRows ?? 2000;
  const pricing = options.pricing ?? new Pricing();
  const endT = Math.max(run.end?.t ?? run.lastT, run.lastT, 1);
  const { calls, pauses } = rebuildCalls(run.events, endT);
  const laneModel = (l: number) => run.lanes[l]?.m ?? 'unknown model';
  const limitIntervals = laneLimitIntervals(run, pauses, endT);
  const links = linkFlow(calls, options.trace);

  const totals = countTotals(run, calls, pricing, laneModel);
  const series = buildSeries(run, calls, limitIntervals, endT, options.maxBuckets ?? 120);
  const timeline = buildTimeline(calls, links, limitIntervals, laneModel, endT, maxRows);
  const notes: string[] = [];
  if (run.earlierRuns > 0)
    notes.push(
      `This file holds ${run.earlierRuns + 1} runs (a resumed run appends); this report shows the last.`,
    );
  if (!run.end) notes.push('The record has no end: the run was still going, or stopped without closing it.');
  if (run.snapshots.length === 0 && run.events.length > 0)
    notes.push('No lane snapshots: waiting time is shown as queued, and the limits in force are unknown.');
  if (options.trace && ![...links.keys()].some((c) => c.id.startsWith(`flow:${options.trace!.flow}#`)))
    notes.push(`No call of this record belongs to the flow '${options.trace.flow}' of the trace.`);

  return {
    title: run.header.meta.command ?? 'Volley run',
    source: options.source,
    meta: run.header.meta,
    wall: run.header.wall,
    limits: run.header.limits,
    lanes: laneSummaries(run),
    durationMs: endT,
    finished: run.end !== undefined,
    earlierRuns: run.earlierRuns,
    totals,
    timeline,
    series,
    latency: latencyRows(calls, laneModel),
    costByModel: costRows(calls, pricing, laneModel, (c) => c.model ?? laneModel(c.lane)),
    costByStep:
      links.size > 0
        ? costRows(calls, pricing, laneModel, (c) => links.get(c)?.group ?? '(other calls)')
        : [],
    failureGroups: failureGroups(calls),
    failures: calls
      .filter((c) => c.status === 'failed')
      .slice(0, options.maxFailures ?? 100)
      .map((c) => ({
        id: c.id,
        label: links.get(c)?.label ?? c.id,
        at: c.end,
        attempts: c.attempts,
        code: c.code ?? 'unexpected',
        status: c.httpStatus,
        message: c.message ?? '',
      })),
    retryReasons: retryReasons(run),
    notes,
  };
}

function countTotals(
  run: RunData,
  calls: readonly CallTrack[],
  pricing: Pricing,
  laneModel: (l: number) => string,
): Totals {
  let ok = 0;
  let failed = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let cost = 0;
  let priced = false;
  const unpriced = new Set<string>();
  for (const c of calls) {
    if (c.status === 'ok') ok++;
    else if (c.status === 'failed') failed++;
    promptTokens += c.promptTokens;
    completionTokens += c.completionTokens;
    if (c.promptTokens + c.completionTokens === 0) continue;
    const model = c.model ?? laneModel(c.lane);
    const price = pricing.cost(model, c.promptTokens, c.completionTokens);
    if (price === undefined) unpriced.add(model);
    else {
      cost += price;
      priced = true;
    }
  }
  let attempts = 0;
  let retries = 0;
  let rateLimited = 0;
  for (const e of run.events) {
    if (e.e === 's') attempts++;
    else if (e.e === 'y') retries++;
    else if (e.e === 'r') rateLimited++;
  }
  return {
    calls: calls.length,
    ok,
    failed,
    unfinished: calls.length - ok - failed,
    attempts,
    retries,
    rateLimited,
    promptTokens,
    completionTokens,
    costUsd: priced ? cost : undefined,
    unpricedModels: [...unpriced].sort(),
  };
}

/**
 * When each lane was held back by a rate limit (rpm, tpm, or a 429 pause), as sorted disjoint
 * intervals: a snapshot's reason holds until the next snapshot of the lane.
 */
export function laneLimitIntervals(
  run: Pick<RunData, 'snapshots' | 'lanes'>,
  pauses: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>,
  endT: number,
): Map<number, Array<[number, number]>> {
  const perLane = new Map<number, Array<readonly [number, number]>>();
  const list = (l: number) => {
    const intervals = upsert(perLane, l, () => []);
    return intervals;
  };
  const byLane = new Map<number, SnapshotRecord[]>();
  for (const s of run.snapshots) {
    const snaps = upsert(byLane, s.l, () => []);
    snaps.push(s);
  }
  for (const [l, snaps] of byLane) {
    snaps.forEach((s, k) => {
      const until = snaps[k + 1]?.t ?? endT;
      if ((s.w !== undefined && LIMIT_REASONS.has(s.w)) || (s.pu !== undefined && s.pu > s.t))
        list(l).push([s.t, Math.max(until, s.pu ?? until)]);
    });
  }
  for (const [l, intervals] of pauses) list(l).push(...intervals);
  const merged = new Map<number, Array<[number, number]>>();
  for (const [l, intervals] of perLane) merged.set(l, mergeIntervals(intervals));
  return merged;
}

function buildSeries(
  run: RunData,
  calls: readonly CallTrack[],
  limits: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>,
  endT: number,
  maxBuckets: number,
): Series {
  const { size, count } = chooseBuckets(endT, maxBuckets);
  const zeros = () => new Array<number>(count).fill(0);
  const sent = zeros();
  const done = zeros();
  const tokens = zeros();
  const rateLimited = zeros();
  const retries = zeros();
  const failures = zeros();
  for (const e of run.events) {
    const b = bucketOf(e.t, size, count);
    if (e.e === 's') sent[b]!++;
    else if (e.e === 'f') {
      done[b]!++;
      tokens[b]! += (e.in ?? 0) + (e.out ?? 0);
    } else if (e.e === 'x') {
      done[b]!++;
      failures[b]!++;
    } else if (e.e === 'r') rateLimited[b]!++;
    else if (e.e === 'y') retries[b]!++;
  }
  // Calls by state, time-weighted; waiting is split by when its lane was held back by a limit.
  const flight = new Coverage(size, count);
  const backoff = new Coverage(size, count);
  const waiting = new Map<number, Coverage>();
  for (const c of calls) {
    const segs = c.segs;
    for (let k = 0; k < segs.length; k += 3) {
      const kind = segs[k]!;
      const a = segs[k + 1]!;
      const b = segs[k + 2]!;
      if (kind === WAIT) {
        const cov = upsert(waiting, c.lane, () => new Coverage(size, count));
        cov.add(a, b);
      } else if (kind === BACKOFF) backoff.add(a, b);
      else flight.add(a, b);
    }
  }
  const queued = zeros();
  const limited = zeros();
  for (const [l, cov] of waiting) {
    const wait = cov.finish();
    const held = new Coverage(size, count);
    for (const [a, b] of limits.get(l) ?? []) held.add(a, b);
    const heldMs = held.finish();
    for (let k = 0; k < count; k++) {
      const width = bucketWidth(k, size, endT);
      const share = Math.min(1, heldMs[k]! / width);
      queued[k]! += (wait[k]! * (1 - share)) / width;
      limited[k]! += (wait[k]! * share) / width;
    }
  }
  const average = (cov: Coverage) => Array.from(cov.finish(), (ms, k) => ms / bucketWidth(k, size, endT));
  // Rates from buckets under a second are mostly noise: they are averaged over about a second.
  const span = Math.min(10, Math.max(1, Math.round(1000 / size)));
  const perMinute = (values: number[]) => movingRate(values, span, (k) => bucketWidth(k, size, endT));
  return {
    bucketMs: size,
    count,
    rateWindowMs: span * size,
    sentPerMin: perMinute(sent),
    donePerMin: perMinute(done),
    tokensPerMin: perMinute(tokens),
    rateLimited,
    retries,
    failures,
    rpmLimit: limitSeries(run.snapshots, 'rpm', size, count),
    tpmLimit: limitSeries(run.snapshots, 'tpm', size, count),
    states: { queued, limit: limited, flight: average(flight), backoff: average(backoff) },
  };
}

/** Per-minute rates over a centred window of `span` buckets (fewer at the edges). */
export function movingRate(values: readonly number[], span: number, width: (k: number) => number): number[] {
  const half = Math.floor(span / 2);
  return values.map((_, k) => {
    let sum = 0;
    let ms = 0;
    for (let j = Math.max(0, k - half); j <= Math.min(values.length - 1, k - half + span - 1); j++) {
      sum += values[j]!;
      ms += width(j);
    }
    return (sum * 60_000) / ms;
  });
}

/** The last bucket may be cut short by the end of the run: rates use the time it covers. */
function bucketWidth(k: number, size: number, endT: number): number {
  return Math.max(1, Math.min(size, endT - k * size));
}

/** The sum over lanes of the limit each last reported by the end of each bucket. */
function limitSeries(
  snapshots: readonly SnapshotRecord[],
  field: 'rpm' | 'tpm',
  size: number,
  count: number,
): Array<number | undefined> {
  const out = new Array<number | undefined>(count).fill(undefined);
  const current = new Map<number, number | undefined>();
  let k = 0;
  const emit = (until: number) => {
    for (; k < until && k < count; k++) {
      let sum: number | undefined;
      for (const value of current.values()) if (value !== undefined) sum = (sum ?? 0) + value;
      out[k] = sum;
    }
  };
  for (const s of snapshots) {
    emit(Math.floor(s.t / size));
    current.set(s.l, s[field]);
  }
  emit(count);
  return out;
}

function buildTimeline(
  calls: readonly CallTrack[],
  links: ReadonlyMap<CallTrack, FlowLink>,
  limits: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>,
  laneModel: (l: number) => string,
  endT: number,
  maxRows: number,
): Timeline {
  const critical = [...links.values()].filter((l) => l.critical).length;
  let picked: CallTrack[] = [...calls];
  let sampling: string | undefined;
  if (calls.length > maxRows) {
    // Keep every call on the critical path and failed calls (up to a quarter of the rows), then
    // every k-th of the rest in queue order.
    const keep = new Set<CallTrack>();
    for (const c of calls) if (links.get(c)?.critical) keep.add(c);
    const failed = calls.filter((c) => c.status === 'failed');
    const failedKept = failed.slice(0, Math.max(0, Math.floor(maxRows / 4) - keep.size));
    for (const c of failedKept) keep.add(c);
    const rest = calls.filter((c) => !keep.has(c));
    const room = Math.max(1, maxRows - keep.size);
    const stride = Math.ceil(rest.length / room);
    for (let k = 0; k < rest.length; k += stride) keep.add(rest[k]!);
    picked = calls.filter((c) => keep.has(c));
    const parts = [stride === 1 ? 'all other calls' : `every ${ordinal(stride)} call in queue order`];
    if (failed.length > 0)
      parts.push(
        failedKept.length === failed.length
          ? `all ${failed.length.toLocaleString('en-US')} failed calls`
          : `the first ${failedKept.length.toLocaleString('en-US')} of ${failed.length.toLocaleString('en-US')} failed calls`,
      );
    if (critical > 0) parts.push('every call on the critical path');
    sampling =
      `Showing ${picked.length.toLocaleString('en-US')} of ${calls.length.toLocaleString('en-US')} calls: ` +
      `${parts.join(', ')}. The "calls by state" chart and every figure on this page count all calls.`;
  }
  const rows = picked.map((c) => toRow(c, links.get(c), limits.get(c.lane) ?? [], laneModel(c.lane)));
  let groups: TimelineGroup[];
  if (links.size === 0) {
    groups = [{ label: '', rows, calls: calls.length, critical: 0 }];
  } else {
    const byGroup = new Map<string, { rows: TimelineRow[]; calls: number; critical: number }>();
    const groupOf = (c: CallTrack) => links.get(c)?.group ?? '(other calls)';
    for (const c of calls) {
      const key = groupOf(c);
      const g = upsert(byGroup, key, () => ({ rows: [] as TimelineRow[], calls: 0, critical: 0 }));
      g.calls++;
      if (links.get(c)?.critical) g.critical++;
    }
    picked.forEach((c, k) => {
      byGroup.get(groupOf(c))!.rows.push(rows[k]!);
    });
    groups = [...byGroup]
      .filter(([, g]) => g.rows.length > 0)
      .map(([label, g]) => ({ label, ...g }))
      .sort((x, y) => x.rows[0]!.start - y.rows[0]!.start);
  }
  return { groups, shown: rows.length, total: calls.length, sampling, endMs: endT, critical };
}

function toRow(
  c: CallTrack,
  link: FlowLink | undefined,
  limits: ReadonlyArray<readonly [number, number]>,
  laneModel: string,
): TimelineRow {
  const segments: Array<[SegmentKind, number, number]> = [];
  const segs = c.segs;
  for (let k = 0; k < segs.length; k += 3) {
    const kind = segs[k]!;
    const a = segs[k + 1]!;
    const b = segs[k + 2]!;
    if (kind === WAIT) {
      for (const [held, from, to] of splitByIntervals(a, b, limits))
        segments.push([held ? 'limit' : 'queued', from, to]);
    } else segments.push([KIND_NAMES[kind]!, a, b]);
  }
  return {
    id: c.id,
    label: link?.label ?? c.id,
    model: c.model ?? laneModel,
    status: c.status,
    start: c.queuedAt,
    end: c.end,
    attempts: c.attempts,
    latencyMs: c.latencyMs,
    queuedMs: c.queuedMs,
    promptTokens: c.promptTokens,
    completionTokens: c.completionTokens,
    error:
      c.status === 'failed'
        ? {
            code: c.code ?? 'unexpected',
            ...(c.httpStatus === undefined ? {} : { status: c.httpStatus }),
            message: c.message ?? '',
          }
        : undefined,
    segments,
    critical: link?.critical ?? false,
  };
}

function latencyRows(calls: readonly CallTrack[], laneModel: (l: number) => string): LatencyRow[] {
  const groups = new Map<string, { latency: NumberList; queued: NumberList; total: NumberList }>();
  const all = { latency: new NumberList(), queued: new NumberList(), total: new NumberList() };
  for (const c of calls) {
    if (c.status === 'unfinished') continue;
    const model = laneModel(c.lane);
    const g = upsert(groups, model, () => ({
      latency: new NumberList(),
      queued: new NumberList(),
      total: new NumberList(),
    }));
    for (const target of [g, all]) {
      if (c.status === 'ok' && c.latencyMs !== undefined) target.latency.push(c.latencyMs);
      if (c.queuedMs !== undefined) target.queued.push(c.queuedMs);
      target.total.push(c.end - c.queuedAt);
    }
  }
  const row = (label: string, g: typeof all): LatencyRow => ({
    label,
    latency: percentiles(g.latency.values()),
    queued: percentiles(g.queued.values()),
    total: percentiles(g.total.values()),
  });
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([label, g]) => row(label, g));
  return rows.length > 1 ? [...rows, row('all models', all)] : rows;
}

function costRows(
  calls: readonly CallTrack[],
  pricing: Pricing,
  laneModel: (l: number) => string,
  keyOf: (c: CallTrack) => string,
): CostRow[] {
  const rows = new Map<
    string,
    {
      calls: number;
      promptTokens: number;
      completionTokens: number;
      cost: number;
      priced: boolean;
      partial: boolean;
    }
  >();
  for (const c of calls) {
    const key = keyOf(c);
    const r = upsert(rows, key, () => ({
      calls: 0,
      promptTokens: 0,
      completionTokens: 0,
      cost: 0,
      priced: false,
      partial: false,
    }));
    r.calls++;
    r.promptTokens += c.promptTokens;
    r.completionTokens += c.completionTokens;
    if (c.promptTokens + c.completionTokens === 0) continue;
    const cost = pricing.cost(c.model ?? laneModel(c.lane), c.promptTokens, c.completionTokens);
    if (cost === undefined) r.partial = true;
    else {
      r.cost += cost;
      r.priced = true;
    }
  }
  return [...rows]
    .map(([label, r]) => ({
      label,
      calls: r.calls,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      costUsd: r.priced ? r.cost : undefined,
      partial: r.priced && r.partial,
    }))
    .sort(
      (a, b) =>
        (b.costUsd ?? -1) - (a.costUsd ?? -1) ||
        b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens),
    );
}

function failureGroups(calls: readonly CallTrack[]): FailureGroup[] {
  const groups = new Map<
    string,
    { code: string; status: number | undefined; message: string; count: number; examples: string[] }
  >();
  for (const c of calls) {
    if (c.status !== 'failed') continue;
    const code = c.code ?? 'unexpected';
    const message = c.message ?? '';
    const key = `${code}\u0000${c.httpStatus ?? ''}\u0000${message}`;
    const g = upsert(groups, key, () => ({
      code,
      status: c.httpStatus,
      message,
      count: 0,
      examples: [] as string[],
    }));
    g.count++;
    if (g.examples.length < 3) g.examples.push(c.id);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 50);
}

function retryReasons(run: RunData): Array<{ code: string; status: number | undefined; count: number }> {
  const counts = new Map<string, { code: string; status: number | undefined; count: number }>();
  for (const e of run.events) {
    if (e.e !== 'y') continue;
    const key = `${e.c}|${e.st ?? ''}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { code: e.c, status: e.st, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

function laneSummaries(run: RunData): LaneSummary[] {
  const last = new Map<number, SnapshotRecord>();
  for (const s of run.snapshots) last.set(s.l, s);
  return run.lanes
    .filter((lane) => lane !== undefined)
    .map((lane) => {
      const s = last.get(lane.l);
      return { key: lane.k, model: lane.m, rpm: s?.rpm, tpm: s?.tpm, concurrency: s?.c };
    });
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13
      ? 'th'
      : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n.toLocaleString('en-US')}${suffix}`;
}
