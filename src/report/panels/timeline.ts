/**
 * The timeline: one row per call for a run of up to `maxRows` calls (grouped by step for flows).
 * Past that, rows become slivers, so a large run is drawn as calls by state over time, with rows
 * only for the calls worth a look: the slowest, the failed, and those on the critical path.
 */
import { formatCount } from '../../format/index.js';
import { type CallStatus, type CallTrack, type SegmentKind, WAIT } from '../calls.js';
import type { TimeFrame } from '../charts.js';
import { type Intervals, KIND_NAMES, type ReportContext } from '../context.js';
import type { FlowLink } from '../flow-trace.js';
import { upsert } from '../maps.js';
import { splitByIntervals } from '../series.js';
import { type Html, html } from '../template.js';
import { SEGMENT_LABELS, timelineSvg } from '../timeline-svg.js';
import { invocationMarkers, type Series, statesChart } from './over-time.js';

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
  /** Calls of this group in the whole run (rows may be a selection). */
  readonly calls: number;
  readonly critical: number;
}

export interface Timeline {
  /** `rows`: every call; `aggregate`: calls by state, and rows for a selection. */
  readonly mode: 'rows' | 'aggregate';
  readonly groups: readonly TimelineGroup[];
  readonly shown: number;
  readonly total: number;
  /** Says which calls have rows, when not all do. */
  readonly selection: string | undefined;
  readonly endMs: number;
  readonly critical: number;
  readonly markers: ReadonlyArray<{ readonly at: number; readonly label: string }>;
}

/** Rows for the slowest calls of a large run. */
const SLOWEST = 20;

export function buildTimeline(ctx: ReportContext): Timeline {
  const { calls, links } = ctx;
  const maxRows = ctx.options.maxRows ?? 1000;
  const critical = [...links.values()].filter((l) => l.critical).length;
  let picked: readonly CallTrack[] = calls;
  let selection: string | undefined;
  if (calls.length > maxRows) {
    const failed = calls.filter((c) => c.status === 'failed');
    const keep = new Set<CallTrack>(failed.slice(0, ctx.options.maxFailures ?? 100));
    for (const c of calls) if (links.get(c)?.critical) keep.add(c);
    const slowest = calls
      .filter((c) => c.status === 'ok')
      .sort((a, b) => b.end - b.queuedAt - (a.end - a.queuedAt))
      .slice(0, SLOWEST);
    for (const c of slowest) keep.add(c);
    picked = calls.filter((c) => keep.has(c));
    const parts = [`the ${formatCount(slowest.length)} slowest`];
    if (failed.length > 0)
      parts.push(
        keep.size >= failed.length
          ? 'every failed call'
          : `the first ${formatCount(ctx.options.maxFailures ?? 100)} failed`,
      );
    if (critical > 0) parts.push('every call on the critical path');
    selection =
      `${formatCount(calls.length)} calls are drawn above by state; the rows below are ` +
      `${parts.join(', ')} (${formatCount(picked.length)} calls), in the order queued.`;
  }
  const rows = picked.map((c) => toRow(c, links.get(c), ctx.held.get(c.lane) ?? [], ctx.modelOf(c)));
  return {
    mode: calls.length > maxRows ? 'aggregate' : 'rows',
    groups: group(calls, picked, rows, links),
    shown: rows.length,
    total: calls.length,
    selection,
    endMs: ctx.endT,
    critical,
    markers: invocationMarkers(ctx.run),
  };
}

function group(
  calls: readonly CallTrack[],
  picked: readonly CallTrack[],
  rows: readonly TimelineRow[],
  links: ReadonlyMap<CallTrack, FlowLink>,
): TimelineGroup[] {
  if (links.size === 0) return [{ label: '', rows, calls: calls.length, critical: 0 }];
  const byGroup = new Map<string, { rows: TimelineRow[]; calls: number; critical: number }>();
  const groupOf = (c: CallTrack) => links.get(c)?.group ?? '(other calls)';
  for (const c of calls) {
    const g = upsert(byGroup, groupOf(c), () => ({ rows: [] as TimelineRow[], calls: 0, critical: 0 }));
    g.calls++;
    if (links.get(c)?.critical) g.critical++;
  }
  picked.forEach((c, k) => {
    byGroup.get(groupOf(c))!.rows.push(rows[k]!);
  });
  return [...byGroup]
    .filter(([, g]) => g.rows.length > 0)
    .map(([label, g]) => ({ label, ...g }))
    .sort((x, y) => x.rows[0]!.start - y.rows[0]!.start);
}

function toRow(c: CallTrack, link: FlowLink | undefined, held: Intervals, model: string): TimelineRow {
  const segments: Array<[SegmentKind, number, number]> = [];
  const segs = c.segs;
  for (let k = 0; k < segs.length; k += 3) {
    const [kind, a, b] = [segs[k]!, segs[k + 1]!, segs[k + 2]!];
    if (kind === WAIT) {
      for (const [isHeld, from, to] of splitByIntervals(a, b, held))
        segments.push([isHeld ? 'limit' : 'queued', from, to]);
    } else segments.push([KIND_NAMES[kind]!, a, b]);
  }
  return {
    id: c.id,
    label: link?.label ?? c.id,
    model,
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

export function renderTimeline(tl: Timeline, series: Series, frame: TimeFrame): Html {
  const legend = html`<div class="legend">${SEGMENT_LABELS.map(
    ([kind, label]) => html`<span><i class="key s-${kind}"></i>${label}</span>`,
  )}${tl.critical > 0 ? html`<span><i class="key c-crit"></i>critical path (${formatCount(tl.critical)} calls)</span>` : html``}</div>`;
  const how =
    tl.mode === 'rows'
      ? html`<p class="note">One row per call, in the order queued${tl.groups.length > 1 ? ', grouped by step' : ''}. Hover a row for its details. "Waiting for the rate limit" is when the lane was held back by rpm, tpm or a 429 pause.</p>`
      : html`${statesChart(series, frame)}<p class="note">${tl.selection} Hover a row for its details.</p>`;
  const body = tl.shown > 0 ? timelineSvg(tl) : html`<p class="note">No calls were recorded.</p>`;
  return html`<h2>Timeline</h2><section class="panel" id="timeline">${how}${legend}${body}</section>`;
}
