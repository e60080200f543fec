/** The timeline: one SVG row per call, its segments coloured by state, grouped by step for flows. */

import { formatCount, formatDuration } from '../format/index.js';
import { CHART_WIDTH, markerLines, timeAxis } from './charts.js';
import type { Timeline, TimelineRow } from './panels/timeline.js';
import { type Html, html, px } from './template.js';
import { timeStep } from './units.js';

const RIGHT = 14;
const GROUP_HEIGHT = 20;

export const SEGMENT_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['queued', 'queued (waiting for a slot)'],
  ['limit', 'waiting for the rate limit'],
  ['flight', 'in flight (attempt retried, or unfinished)'],
  ['backoff', 'retry backoff'],
  ['done', 'done (the successful attempt)'],
  ['failed', 'failed'],
];

function rowHeight(rows: number): number {
  if (rows <= 40) return 18;
  if (rows <= 150) return 12;
  if (rows <= 500) return 6;
  if (rows <= 1000) return 3;
  return 2;
}

/** Cuts text from the data to `max` characters (it is escaped later, like any data). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function timelineSvg(timeline: Timeline): Html {
  const rowCount = timeline.shown;
  const h = rowHeight(rowCount);
  const labelled = h >= 12;
  const grouped = timeline.groups.length > 1 || timeline.groups[0]?.label !== '';
  const left = labelled ? 250 : 14;
  const width = CHART_WIDTH - left - RIGHT;
  const end = Math.max(1, timeline.endMs);
  const x = (t: number) => left + (Math.min(Math.max(t, 0), end) / end) * width;
  const parts: Html[] = [];
  let y = 0;
  for (const group of timeline.groups) {
    if (grouped) {
      const critical = group.critical > 0 ? ` · ${formatCount(group.critical)} on the critical path` : '';
      const sampled = group.rows.length < group.calls ? ` (${formatCount(group.rows.length)} shown)` : '';
      parts.push(
        html`<g class="group"><rect class="group-bg" x="0" y="${y}" width="${CHART_WIDTH}" height="${GROUP_HEIGHT}"/><text class="group-label" x="6" y="${y + 14}">${clip(group.label, 80)} · ${formatCount(group.calls)} call${group.calls === 1 ? '' : 's'}${sampled}${critical}</text></g>`,
      );
      y += GROUP_HEIGHT;
    }
    for (const row of group.rows) {
      parts.push(rowSvg(row, y, h, labelled, x));
      y += h;
    }
  }
  const height = Math.max(y, 1);
  const axisHeight = 24;
  const axis = html`<svg class="timeline-axis" width="${CHART_WIDTH}" height="${axisHeight}" viewBox="0 0 ${CHART_WIDTH} ${axisHeight}" aria-hidden="true">${timeAxis(x, end, 4, 4)}</svg>`;
  const grid = html`${gridLines(x, end, height)}${markerLines(x, timeline.markers, 0, height)}`;
  return html`<div class="timeline-scroll"><svg class="timeline" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-label="Timeline of ${formatCount(rowCount)} calls" data-rows="${rowCount}">${grid}${parts}</svg></div>${axis}`;
}

function gridLines(x: (t: number) => number, end: number, height: number): Html {
  const step = timeStep(end, 8);
  const lines: Html[] = [];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const at = px(x(t));
    lines.push(html`<line class="grid" x1="${at}" x2="${at}" y1="0" y2="${height}"/>`);
  }
  return html`${lines}`;
}

function rowSvg(row: TimelineRow, y: number, h: number, labelled: boolean, x: (t: number) => number): Html {
  // Thin rows touch: the timeline of a large run reads as a density picture.
  const barY = y + (h >= 6 ? 2 : h >= 3 ? 0.5 : 0);
  const barH = h >= 6 ? h - 4 : h >= 3 ? h - 1 : h;
  const rects = row.segments.map(([kind, from, to]) => {
    const x0 = x(from);
    const minimum = kind === 'done' || kind === 'failed' ? 2 : 0.6;
    const w = Math.max(minimum, x(to) - x0);
    return html`<rect class="s-${kind}" x="${px(x0)}" y="${px(barY)}" width="${px(w)}" height="${px(barH)}"/>`;
  });
  const label = labelled
    ? html`<text class="row-label" x="14" y="${px(y + h / 2)}" dominant-baseline="middle">${clip(row.label, 36)}</text>`
    : html``;
  const marker = row.critical
    ? html`<rect class="critical-mark" x="2" y="${px(barY)}" width="6" height="${px(barH)}"/>`
    : html``;
  return html`<g class="row st-${row.status}${row.critical ? ' critical' : ''}"><title>${describeRow(row)}</title>${marker}${label}${rects}</g>`;
}

/** The tooltip of a row: everything known about the call, in one line each. */
function describeRow(row: TimelineRow): string {
  const lines = [`${row.label}: ${row.status === 'unfinished' ? 'not finished' : row.status}`];
  if (row.label !== row.id) lines.push(`id ${row.id}`);
  lines.push(`model ${row.model}`);
  lines.push(
    `queued at ${formatDuration(row.start)}, ended at ${formatDuration(row.end)} (${formatDuration(row.end - row.start)})`,
  );
  if (row.queuedMs !== undefined) lines.push(`waited ${formatDuration(row.queuedMs)}`);
  if (row.latencyMs !== undefined)
    lines.push(`${row.status === 'ok' ? 'latency' : 'last attempt'} ${formatDuration(row.latencyMs)}`);
  if (row.attempts > 1) lines.push(`${row.attempts} attempts`);
  if (row.promptTokens + row.completionTokens > 0)
    lines.push(`tokens ${formatCount(row.promptTokens)} in, ${formatCount(row.completionTokens)} out`);
  if (row.critical) lines.push('on the critical path');
  if (row.error) {
    const status = row.error.status === undefined ? '' : ` (HTTP ${row.error.status})`;
    lines.push(`${row.error.code}${status}: ${clip(row.error.message, 300)}`);
  }
  return lines.join('\n');
}
