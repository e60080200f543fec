/**
 * Inline SVG charts over the run's time buckets: step lines (rates against a limit), stacked bands
 * (calls by state) and grouped bars (429s, retries, failures). Colours come from CSS classes.
 */

import { formatCount, formatDuration } from '../format/index.js';
import { type Html, html, px } from './template.js';
import { niceStep, timeStep } from './units.js';

export const CHART_WIDTH = 960;
const HEIGHT = 210;
const LEFT = 58;
const RIGHT = 14;
const TOP = 10;
const BOTTOM = 26;

/** A moment worth a vertical line: where an invocation of a resumed run began. */
export interface Marker {
  readonly at: number;
  readonly label: string;
}

export interface TimeFrame {
  readonly endMs: number;
  readonly bucketMs: number;
  readonly count: number;
  readonly markers?: readonly Marker[] | undefined;
}

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | undefined>;
  /** CSS class giving the colour (`c-sent`, `c-limit`, ...). */
  readonly cls: string;
  readonly dashed?: boolean;
}

interface Plot {
  readonly x: (t: number) => number;
  readonly y: (v: number) => number;
  readonly yMax: number;
  readonly frame: TimeFrame;
}

function plot(frame: TimeFrame, maxValue: number): Plot {
  const yStep = niceStep(maxValue > 0 ? maxValue : 1, 4);
  const yMax = Math.max(yStep, Math.ceil((maxValue * 1.08) / yStep) * yStep);
  const w = CHART_WIDTH - LEFT - RIGHT;
  const h = HEIGHT - TOP - BOTTOM;
  return {
    x: (t) => LEFT + (Math.min(Math.max(t, 0), frame.endMs) / frame.endMs) * w,
    y: (v) => TOP + h - (Math.min(v, yMax) / yMax) * h,
    yMax,
    frame,
  };
}

function axes(p: Plot, yFormat: (v: number) => string): Html {
  const yStep = niceStep(p.yMax, 4);
  const yTicks: Html[] = [];
  for (let v = 0; v <= p.yMax + yStep / 1000; v += yStep) {
    const y = px(p.y(v));
    yTicks.push(
      html`<line class="grid" x1="${LEFT}" x2="${CHART_WIDTH - RIGHT}" y1="${y}" y2="${y}"/><text class="tick" x="${LEFT - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${yFormat(v)}</text>`,
    );
  }
  return html`${yTicks}${timeAxis(p.x, p.frame.endMs, HEIGHT - BOTTOM, TOP)}${markerLines(p.x, p.frame.markers ?? [], TOP, HEIGHT - BOTTOM)}`;
}

/** Dashed vertical lines, labelled at the top, where each later invocation began. */
export function markerLines(
  x: (t: number) => number,
  markers: readonly Marker[],
  top: number,
  bottom: number,
): Html {
  return html`${markers.map((m) => {
    const at = px(x(m.at));
    return html`<line class="inv" x1="${at}" x2="${at}" y1="${top}" y2="${bottom}"/><text class="inv-label" x="${px(x(m.at) + 3)}" y="${top + 10}">${m.label}</text>`;
  })}`;
}

/** An axis label: the origin as a bare `0`, other times as durations. */
const tickLabel = (t: number): string => (t === 0 ? '0' : formatDuration(t));

/** Vertical grid lines and labels of a time axis whose baseline is at `y`. */
export function timeAxis(x: (t: number) => number, endMs: number, y: number, top: number): Html {
  const step = timeStep(endMs, 8);
  const ticks: Html[] = [];
  for (let t = 0; t <= endMs + 1e-9; t += step) {
    const at = px(x(t));
    ticks.push(
      html`<line class="grid" x1="${at}" x2="${at}" y1="${top}" y2="${y}"/><text class="tick" x="${at}" y="${y + 15}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  return html`${ticks}<line class="axis" x1="${x(0)}" x2="${x(endMs)}" y1="${y}" y2="${y}"/>`;
}

function legend(series: ReadonlyArray<{ label: string; cls: string; dashed?: boolean }>): Html {
  return html`<div class="legend">${series.map(
    (s) => html`<span><i class="key ${s.cls}${s.dashed ? ' dashed' : ''}"></i>${s.label}</span>`,
  )}</div>`;
}

function frameSvg(label: string, body: Html): Html {
  return html`<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${HEIGHT}" role="img" aria-label="${label}" preserveAspectRatio="xMidYMid meet">${body}</svg>`;
}

function maxOf(series: readonly ChartSeries[]): number {
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== undefined && v > max) max = v;
  return max;
}

/** A step path through the bucket values; gaps where a value is undefined. */
function stepPath(p: Plot, values: ReadonlyArray<number | undefined>): string {
  const { bucketMs, endMs } = p.frame;
  let d = '';
  let drawing = false;
  values.forEach((v, k) => {
    if (v === undefined) {
      drawing = false;
      return;
    }
    const x0 = px(p.x(k * bucketMs));
    const x1 = px(p.x(Math.min(endMs, (k + 1) * bucketMs)));
    const y = px(p.y(v));
    d += `${drawing ? 'L' : 'M'}${x0} ${y}L${x1} ${y}`;
    drawing = true;
  });
  return d;
}

/** Rates over time as step lines, e.g. requests per minute against the rpm limit. */
export function lineChart(
  title: string,
  frame: TimeFrame,
  series: readonly ChartSeries[],
  unit: string,
): Html {
  const p = plot(frame, maxOf(series));
  const lines = series.map(
    (s) =>
      html`<path class="line ${s.cls}${s.dashed ? ' dashed' : ''}" d="${stepPath(p, s.values)}"><title>${s.label}</title></path>`,
  );
  const empty = maxOf(series) === 0 ? noData() : html``;
  return html`<figure class="panel"><figcaption>${title}</figcaption>${legend(series)}${frameSvg(
    title,
    html`${axes(p, (v) => `${formatCount(v, true)}${unit}`)}${lines}${empty}`,
  )}</figure>`;
}

/** Values stacked per bucket, e.g. how many calls were queued, held back, in flight. */
export function stackedChart(
  title: string,
  frame: TimeFrame,
  layers: readonly ChartSeries[],
  note?: string,
): Html {
  const totals = new Array<number>(frame.count).fill(0);
  for (const layer of layers) {
    layer.values.forEach((v, k) => {
      totals[k]! += v ?? 0;
    });
  }
  const p = plot(frame, Math.max(0, ...totals));
  const base = new Array<number>(frame.count).fill(0);
  const bands = layers.map((layer) => {
    let top = '';
    let bottom = '';
    for (let k = 0; k < frame.count; k++) {
      const v = layer.values[k] ?? 0;
      const x0 = px(p.x(k * frame.bucketMs));
      const x1 = px(p.x(Math.min(frame.endMs, (k + 1) * frame.bucketMs)));
      const y0 = px(p.y(base[k]!));
      const y1 = px(p.y(base[k]! + v));
      top += `${k === 0 ? 'M' : 'L'}${x0} ${y1}L${x1} ${y1}`;
      bottom = `L${x1} ${y0}L${x0} ${y0}${bottom}`;
      base[k]! += v;
    }
    return html`<path class="band ${layer.cls}" d="${top}${bottom}Z"><title>${layer.label}</title></path>`;
  });
  const empty = totals.every((v) => v === 0) ? noData() : html``;
  return html`<figure class="panel"><figcaption>${title}</figcaption>${legend(layers)}${
    note ? html`<p class="note">${note}</p>` : html``
  }${frameSvg(title, html`${axes(p, (v) => formatCount(v, true))}${bands}${empty}`)}</figure>`;
}

/** Counts per bucket side by side, e.g. 429s and retries. */
export function barChart(title: string, frame: TimeFrame, series: readonly ChartSeries[]): Html {
  const p = plot(frame, maxOf(series));
  const bars: Html[] = [];
  const width = (p.x(frame.bucketMs) - p.x(0)) / (series.length + 1);
  series.forEach((s, n) => {
    s.values.forEach((v, k) => {
      if (!v) return;
      const x = p.x(k * frame.bucketMs) + width * (n + 0.5);
      const y = p.y(v);
      bars.push(
        html`<rect class="bar ${s.cls}" x="${px(x)}" y="${px(y)}" width="${px(Math.max(0.8, width))}" height="${px(p.y(0) - y)}"><title>${s.label}: ${formatCount(v)} at ${formatDuration(k * frame.bucketMs)}</title></rect>`,
      );
    });
  });
  const empty = maxOf(series) === 0 ? noData('none') : html``;
  return html`<figure class="panel"><figcaption>${title}</figcaption>${legend(series)}${frameSvg(
    title,
    html`${axes(p, (v) => formatCount(v, true))}${bars}${empty}`,
  )}</figure>`;
}

function noData(text = 'no data'): Html {
  return html`<text class="empty" x="${CHART_WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">${text}</text>`;
}
