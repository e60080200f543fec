/** Latency percentiles per model: the successful attempt, the time waiting, queued to settled. */
import { formatCount, formatDuration } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { upsert } from '../maps.js';
import { NumberList, type Percentiles, percentiles } from '../series.js';
import { type Html, html } from '../template.js';

export interface LatencyRow {
  readonly label: string;
  readonly latency: Percentiles | undefined;
  readonly queued: Percentiles | undefined;
  readonly total: Percentiles | undefined;
}

interface Lists {
  readonly latency: NumberList;
  readonly queued: NumberList;
  readonly total: NumberList;
}

const lists = (): Lists => ({ latency: new NumberList(), queued: new NumberList(), total: new NumberList() });

export function buildLatency(ctx: ReportContext): LatencyRow[] {
  const groups = new Map<string, Lists>();
  const all = lists();
  for (const c of ctx.calls) {
    if (c.status === 'unfinished') continue;
    for (const target of [upsert(groups, ctx.modelOf(c), lists), all]) {
      if (c.status === 'ok' && c.latencyMs !== undefined) target.latency.push(c.latencyMs);
      if (c.queuedMs !== undefined) target.queued.push(c.queuedMs);
      target.total.push(c.end - c.queuedAt);
    }
  }
  const row = (label: string, g: Lists): LatencyRow => ({
    label,
    latency: percentiles(g.latency.values()),
    queued: percentiles(g.queued.values()),
    total: percentiles(g.total.values()),
  });
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([label, g]) => row(label, g));
  return rows.length > 1 ? [...rows, row('all models', all)] : rows;
}

function cells(p: Percentiles | undefined): Html {
  if (!p) return html`<td class="n">–</td><td class="n">–</td><td class="n">–</td><td class="n">–</td>`;
  return html`<td class="n">${formatDuration(p.p50)}</td><td class="n">${formatDuration(p.p90)}</td><td class="n">${formatDuration(p.p99)}</td><td class="n">${formatDuration(p.max)}</td>`;
}

export function renderLatency(rows: readonly LatencyRow[]): Html {
  if (rows.length === 0) return html``;
  const block = (title: string, pick: (r: LatencyRow) => Percentiles | undefined) =>
    rows.map(
      (r, k) =>
        html`<tr>${k === 0 ? html`<th rowspan="${rows.length}">${title}</th>` : html``}<td>${r.label}</td><td class="n">${formatCount(
          pick(r)?.count ?? 0,
        )}</td>${cells(pick(r))}</tr>`,
    );
  return html`<h2>Latency</h2><table><thead><tr><th></th><th>model</th><th class="n">calls</th><th class="n">p50</th><th class="n">p90</th><th class="n">p99</th><th class="n">max</th></tr></thead><tbody>${block(
    'latency of the successful attempt',
    (r) => r.latency,
  )}${block('time waiting (queue, limits, backoff)', (r) => r.queued)}${block('queued to settled', (r) => r.total)}</tbody></table>`;
}
