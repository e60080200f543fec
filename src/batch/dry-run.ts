/**
 * `--dry-run`: reads the whole input as a run would and reports the item count, estimated tokens
 * and cost, and the shortest possible duration at the configured limits. Nothing is sent.
 */

import type { PriceTier } from '../pricing/index.js';
import { IdSet } from '../run/keys.js';
import { loadTokenizer } from '../tokens/count.js';
import { estimate } from './estimate.js';
import { formatCount, formatDuration, formatUsd } from './format.js';
import { type InputOptions, parseLine, parseValue } from './input.js';
import type { Pricing } from './pricing.js';
import { numbered } from './read-lines.js';

export interface DryRunOptions extends InputOptions {
  /** Model for lines that name none. */
  readonly model: string;
  /** Output tokens assumed for a line without `max_tokens`. */
  readonly outputTokens: number;
  readonly pricing: Pricing;
  /** The price the lines would be paid at (`batch` for --mode batch-api and auto). @default 'realtime' */
  readonly tier?: PriceTier | undefined;
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
}

export interface DryRunReport {
  readonly items: number;
  readonly badLines: number;
  readonly duplicates: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** At `tier`'s price, of the items whose model has a price; see `unpricedModels`. */
  readonly costUsd: number;
  readonly tier: PriceTier;
  /** The same items at the realtime price. */
  readonly realtimeCostUsd: number;
  readonly unpricedModels: readonly string[];
  readonly itemsByModel: Readonly<Record<string, number>>;
  /** Undefined when neither limit is configured (they would be learned from the server). */
  readonly shortestMs: number | undefined;
  readonly boundBy: 'requests' | 'tokens' | undefined;
  /** The first few problems, for the report. */
  readonly problems: readonly string[];
}

export async function dryRun(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  options: DryRunOptions,
): Promise<DryRunReport> {
  const seen = new IdSet();
  const byModel = new Map<string, number>();
  const unpriced = new Set<string>();
  const problems: string[] = [];
  let items = 0;
  let badLines = 0;
  let duplicates = 0;
  let promptTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  let realtimeCostUsd = 0;
  const tier = options.tier ?? 'realtime';
  // Every line is counted, so the tables are needed anyway: loaded before the first line is read,
  // not in the middle of the lines' garbage (`volley run --dry-run` loads them earlier still).
  await loadTokenizer();
  for await (const [line, entry] of numbered(source)) {
    const parsed =
      typeof entry === 'string' ? parseLine(entry, line, options) : parseValue(entry, line, options);
    if (parsed === undefined) continue;
    if ('problem' in parsed) {
      badLines++;
      if (problems.length < 5) problems.push(parsed.problem.message);
      continue;
    }
    if (!seen.add(parsed.item.customId)) {
      duplicates++;
      continue;
    }
    const e = estimate(parsed.item.request, options.model, options.outputTokens, options.pricing, tier);
    items++;
    byModel.set(e.model, (byModel.get(e.model) ?? 0) + 1);
    promptTokens += e.promptTokens;
    outputTokens += e.outputTokens;
    if (e.costUsd === undefined) unpriced.add(e.model);
    else costUsd += e.costUsd;
    const usage = { promptTokens: e.promptTokens, completionTokens: e.outputTokens };
    realtimeCostUsd += tier === 'realtime' ? (e.costUsd ?? 0) : (options.pricing.cost(e.model, usage) ?? 0);
  }
  const byRequests = options.rpm === undefined ? undefined : (items / options.rpm) * 60_000;
  const byTokens =
    options.tpm === undefined ? undefined : ((promptTokens + outputTokens) / options.tpm) * 60_000;
  const shortestMs =
    byRequests === undefined && byTokens === undefined ? undefined : Math.max(byRequests ?? 0, byTokens ?? 0);
  return {
    items,
    badLines,
    duplicates,
    promptTokens,
    outputTokens,
    costUsd,
    tier,
    realtimeCostUsd,
    unpricedModels: [...unpriced],
    itemsByModel: Object.fromEntries(byModel),
    shortestMs,
    boundBy:
      shortestMs === undefined ? undefined : (byRequests ?? 0) >= (byTokens ?? 0) ? 'requests' : 'tokens',
    problems,
  };
}

export function formatDryRun(
  r: DryRunReport,
  limits: { rpm?: number | undefined; tpm?: number | undefined },
): string {
  const models = Object.entries(r.itemsByModel)
    .map(([m, n]) => `${m} ${formatCount(n)}`)
    .join(', ');
  const lines = [
    'Dry run: nothing was sent.',
    `  items      ${formatCount(r.items)} to send${models ? ` (${models})` : ''}; ${formatCount(r.badLines)} bad lines, ${formatCount(r.duplicates)} repeated custom_ids`,
    `  tokens     ~${formatCount(r.promptTokens)} prompt + up to ~${formatCount(r.outputTokens)} completion (max_tokens, or a typical answer)`,
    `  cost       ~${formatUsd(r.costUsd)}${r.tier === 'batch' ? ` at the Batch API price (~${formatUsd(r.realtimeCostUsd)} realtime)` : ''}${r.unpricedModels.length ? ` (no price for ${r.unpricedModels.join(', ')}; pass --prices)` : ''}`,
  ];
  if (r.shortestMs === undefined) {
    lines.push('  duration   unknown: no --rpm or --tpm, so the limits would be learned from the server');
  } else {
    const at = [
      limits.rpm && `${formatCount(limits.rpm)} rpm`,
      limits.tpm && `${formatCount(limits.tpm)} tpm`,
    ]
      .filter(Boolean)
      .join(' and ');
    lines.push(`  duration   at least ${formatDuration(r.shortestMs)} at ${at} (bound by ${r.boundBy})`);
  }
  for (const problem of r.problems) lines.push(`  bad line   ${problem}`);
  return `${lines.join('\n')}\n`;
}
