/** Cost by model (from the run's tally) and, for flows, by step; both priced by `src/pricing`. */
import { formatCount, formatUsd } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { upsert } from '../maps.js';
import { type Html, html } from '../template.js';

export interface CostRow {
  readonly label: string;
  /** Calls answered (by model), or made (by step: failed ones too). */
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Undefined when none of its calls' models has a price. */
  readonly costUsd: number | undefined;
  /** Some calls had no price: `costUsd` leaves them out. */
  readonly partial: boolean;
}

export interface CostModel {
  readonly byModel: readonly CostRow[];
  readonly byStep: readonly CostRow[];
  readonly unpricedModels: readonly string[];
}

export function buildCost(ctx: ReportContext): CostModel {
  const byModel = [...ctx.tally.byModel.values()].map((m) => ({
    label: m.model,
    calls: m.calls,
    promptTokens: m.promptTokens,
    completionTokens: m.completionTokens,
    costUsd: m.priced > 0 ? m.costUsd : undefined,
    partial: m.priced > 0 && m.unpriced > 0,
  }));
  return {
    byModel: sorted(byModel),
    byStep: ctx.links.size > 0 ? byStep(ctx) : [],
    unpricedModels: ctx.tally.unpricedModels,
  };
}

function byStep(ctx: ReportContext): CostRow[] {
  const rows = new Map<
    string,
    {
      calls: number;
      promptTokens: number;
      completionTokens: number;
      cost: number;
      priced: number;
      unpriced: number;
    }
  >();
  for (const c of ctx.calls) {
    const r = upsert(rows, ctx.links.get(c)?.group ?? '(other calls)', () => ({
      calls: 0,
      promptTokens: 0,
      completionTokens: 0,
      cost: 0,
      priced: 0,
      unpriced: 0,
    }));
    r.calls++;
    r.promptTokens += c.promptTokens;
    r.completionTokens += c.completionTokens;
    if (c.promptTokens + c.completionTokens === 0) continue;
    const cost = ctx.pricing.cost(ctx.modelOf(c), c);
    if (cost === undefined) r.unpriced++;
    else {
      r.cost += cost;
      r.priced++;
    }
  }
  return sorted(
    [...rows].map(([label, r]) => ({
      label,
      calls: r.calls,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      costUsd: r.priced > 0 ? r.cost : undefined,
      partial: r.priced > 0 && r.unpriced > 0,
    })),
  );
}

function sorted(rows: CostRow[]): CostRow[] {
  return rows.sort(
    (a, b) =>
      (b.costUsd ?? -1) - (a.costUsd ?? -1) ||
      b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens),
  );
}

function table(title: string, first: string, rows: readonly CostRow[]): Html {
  return html`<table><caption class="note">${title}</caption><thead><tr><th>${first}</th><th class="n">calls</th><th class="n">prompt tokens</th><th class="n">completion tokens</th><th class="n">cost</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.label}</td><td class="n">${formatCount(r.calls)}</td><td class="n">${formatCount(r.promptTokens)}</td><td class="n">${formatCount(
        r.completionTokens,
      )}</td><td class="n">${
        r.costUsd === undefined
          ? html`<span title="no price known for this model">${formatCount(r.promptTokens + r.completionTokens)} tokens, no price</span>`
          : html`${formatUsd(r.costUsd)}${r.partial ? ' (some calls unpriced)' : ''}`
      }</td></tr>`,
  )}</tbody></table>`;
}

export function renderCost(m: CostModel): Html {
  if (m.byModel.length === 0) return html``;
  const unpriced = m.unpricedModels;
  return html`<h2>Cost</h2><p class="note">Estimated from list prices per million tokens${
    unpriced.length > 0
      ? html`; no price is known for ${unpriced.map((name, k) => html`${k > 0 ? ', ' : ''}<code>${name}</code>`)}, so its tokens are shown instead`
      : html``
  }.</p>${table('By model', 'model', m.byModel)}${m.byStep.length > 0 ? html`<br>${table('By step', 'step', m.byStep)}` : html``}`;
}
