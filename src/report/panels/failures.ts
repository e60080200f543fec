/** The failed calls: grouped by reason, then the first ones one by one. */
import { formatCount, formatDuration } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { upsert } from '../maps.js';
import { type Html, html } from '../template.js';
import { clip } from '../timeline-svg.js';

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

export interface FailuresModel {
  readonly total: number;
  readonly groups: readonly FailureGroup[];
  readonly first: readonly Failure[];
}

export function buildFailures(ctx: ReportContext): FailuresModel {
  const failed = ctx.calls.filter((c) => c.status === 'failed');
  const groups = new Map<string, FailureGroup & { count: number; examples: string[] }>();
  for (const c of failed) {
    const code = c.code ?? 'unexpected';
    const message = c.message ?? '';
    const g = upsert(groups, `${code}\u0000${c.httpStatus ?? ''}\u0000${message}`, () => ({
      code,
      status: c.httpStatus,
      message,
      count: 0,
      examples: [] as string[],
    }));
    g.count++;
    if (g.examples.length < 3) g.examples.push(ctx.label(c));
  }
  return {
    total: ctx.tally.failed,
    groups: [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 50),
    first: failed.slice(0, ctx.options.maxFailures ?? 100).map((c) => ({
      id: c.id,
      label: ctx.label(c),
      at: c.end,
      attempts: c.attempts,
      code: c.code ?? 'unexpected',
      status: c.httpStatus,
      message: c.message ?? '',
    })),
  };
}

export function renderFailures(m: FailuresModel): Html {
  if (m.total === 0) return html`<h2>Failures</h2><p class="note">No call failed.</p>`;
  const groups = html`<table><caption class="note">By reason</caption><thead><tr><th class="n">calls</th><th>code</th><th class="n">HTTP</th><th>message</th><th>for example</th></tr></thead><tbody>${m.groups.map(
    (g) =>
      html`<tr><td class="n">${formatCount(g.count)}</td><td><code>${g.code}</code></td><td class="n">${g.status ?? '–'}</td><td class="msg">${clip(
        g.message,
        500,
      )}</td><td>${g.examples.map((id, k) => html`${k > 0 ? ', ' : ''}<code>${clip(id, 60)}</code>`)}</td></tr>`,
  )}</tbody></table>`;
  const shown = m.first.length;
  const list = html`<table><caption class="note">${
    shown < m.total
      ? `The first ${formatCount(shown)} of ${formatCount(m.total)} failed calls`
      : 'Every failed call'
  }</caption><thead><tr><th>call</th><th class="n">at</th><th class="n">attempts</th><th>code</th><th class="n">HTTP</th><th>message</th></tr></thead><tbody>${m.first.map(
    (f) =>
      html`<tr><td><code>${clip(f.label, 80)}</code></td><td class="n">${formatDuration(f.at)}</td><td class="n">${f.attempts}</td><td><code>${f.code}</code></td><td class="n">${
        f.status ?? '–'
      }</td><td class="msg">${clip(f.message, 500)}</td></tr>`,
  )}</tbody></table>`;
  return html`<h2>Failures</h2>${groups}<br>${list}`;
}
