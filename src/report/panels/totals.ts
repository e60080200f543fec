/** The cards at the top: calls and how they ended, time, attempts, 429s, tokens and spend. */
import { formatCount, formatDuration, formatUsd, perMinute } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { lastSegment } from '../events.js';
import { type Html, html } from '../template.js';

export interface Totals {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  /** Queued or in flight at the end of the record (no end: the run may still be going). */
  readonly unfinished: number;
  /** Cut short by a stop or a kill; the next invocation sent their lines again. */
  readonly interrupted: number;
  readonly expected: number | undefined;
  readonly invocations: number;
  readonly durationMs: number;
  readonly callsPerMinute: number;
  readonly attempts: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Undefined when no call's model has a price. */
  readonly costUsd: number | undefined;
  readonly unpricedModels: readonly string[];
}

export function buildTotals(ctx: ReportContext): Totals {
  const t = ctx.tally;
  return {
    calls: t.calls,
    ok: t.ok,
    failed: t.failed,
    unfinished: Math.max(0, t.calls - t.ok - t.failed),
    interrupted: t.interrupted,
    expected: lastSegment(ctx.run)?.meta.total,
    invocations: t.invocations,
    durationMs: ctx.endT,
    callsPerMinute: perMinute(t.ok + t.failed, ctx.endT),
    attempts: t.attempts,
    retries: t.retries,
    rateLimited: t.rateLimited,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    costUsd: t.costUsd,
    unpricedModels: t.unpricedModels,
  };
}

export function renderTotals(t: Totals): Html {
  const cards: Array<[string, string, boolean?]> = [
    [formatCount(t.calls), t.calls === 1 ? 'call' : 'calls'],
    [formatCount(t.ok), 'succeeded'],
    [formatCount(t.failed), 'failed', t.failed > 0],
  ];
  if (t.expected !== undefined) cards.push([formatCount(t.expected), 'expected in total']);
  if (t.unfinished > 0) cards.push([formatCount(t.unfinished), 'unfinished', true]);
  if (t.interrupted > 0) cards.push([formatCount(t.interrupted), 'interrupted by a stop']);
  if (t.invocations > 1) cards.push([formatCount(t.invocations), 'invocations']);
  cards.push(
    [formatDuration(t.durationMs), 'duration'],
    [formatCount(t.callsPerMinute), 'calls per minute'],
    [formatCount(t.attempts), 'attempts'],
    [formatCount(t.rateLimited), '429s (rate limited)', t.rateLimited > 0],
    [formatCount(t.retries), 'retries'],
    [formatCount(t.promptTokens, true), 'tokens in'],
    [formatCount(t.completionTokens, true), 'tokens out'],
    [
      t.costUsd === undefined ? '–' : formatUsd(t.costUsd),
      t.unpricedModels.length > 0 ? 'cost (priced models)' : 'cost',
    ],
  );
  return html`<section class="cards">${cards.map(
    ([value, label, bad]) =>
      html`<div class="card${bad ? ' bad' : ''}"><b>${value}</b><span>${label}</span></div>`,
  )}</section>`;
}
