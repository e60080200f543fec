/** The page's heading: what ran, when, for how long, on which models, and what to keep in mind. */
import { formatDuration } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { finished, lastSegment } from '../events.js';
import { type Html, html } from '../template.js';
import { clip } from '../timeline-svg.js';

export interface HeaderModel {
  readonly title: string;
  readonly source: string | undefined;
  readonly wall: string;
  readonly durationMs: number;
  readonly finished: boolean;
  readonly invocations: number;
  /** The models the calls used, most calls first (the header's model is the one the lines used). */
  readonly models: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

export function buildHeader(ctx: ReportContext): HeaderModel {
  const { run, tally } = ctx;
  const last = lastSegment(run);
  const models = tally.models.length > 0 ? tally.models : [...new Set(run.lanes.map((l) => l.model))];
  const notes: string[] = [];
  if (run.segments.length > 1)
    notes.push(
      `This run was started ${run.segments.length} times (resumed with the same output); every figure covers all of them, ` +
        'and the timeline marks where each began. Times are active time: the gaps between them are left out.',
    );
  if (!finished(run))
    notes.push('The record has no end: the run was still going, or stopped without closing it.');
  if (run.states.length === 0 && run.events.length > 0)
    notes.push('No lane snapshots: waiting time is shown as queued, and the limits in force are unknown.');
  const trace = ctx.options.trace;
  if (trace && ![...ctx.links.keys()].some((c) => c.id.startsWith(`flow:${trace.flow}#`)))
    notes.push(`No call of this record belongs to the flow '${trace.flow}' of the trace.`);
  return {
    title: last?.meta.command ?? 'Volley run',
    source: ctx.options.source,
    wall: run.segments[0]?.wall ?? '',
    durationMs: ctx.endT,
    finished: finished(run),
    invocations: run.segments.length,
    models,
    labels: last?.meta.labels ?? {},
    notes,
  };
}

export function renderHeader(h: HeaderModel): Html {
  const when = h.wall ? `started ${h.wall.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} · ` : '';
  const state = h.finished ? 'finished' : 'not finished';
  const runs = h.invocations > 1 ? ` · ${h.invocations} invocations` : '';
  const models =
    h.models.length === 0
      ? ''
      : ` · model${h.models.length > 1 ? 's' : ''} ${h.models.slice(0, 4).join(', ')}${h.models.length > 4 ? ', …' : ''}`;
  const labels = Object.entries(h.labels).map(([k, v]) => ` · ${k}: ${v}`);
  return html`<h1>Volley run report</h1>
<p class="sub"><code>${clip(h.title, 400)}</code><br>${when}${formatDuration(h.durationMs)} · ${state}${runs}${models}${labels}</p>
${h.notes.map((n) => html`<p class="notice">${n}</p>`)}`;
}
