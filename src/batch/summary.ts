/** The end-of-run summary: counts by outcome, tokens, cost, makespan, throughput against the ceiling. */
import type { LaneSnapshot } from '../client/types.js';
import { formatCount, formatDuration, formatPercent, formatUsd, perMinute } from '../format/index.js';
import type { RecordTally, SlowItem } from '../records/tally.js';
import type { RecordKind } from '../records/types.js';

export type BatchOutcome = 'completed' | 'interrupted' | 'budget' | 'fatal' | 'detached';

export interface BatchSummary {
  readonly outcome: BatchOutcome;
  /** Why the run stopped early (the fatal error, the budget reached), in one sentence. */
  readonly reason: string | undefined;
  readonly files: {
    readonly out: string;
    readonly errors: string | undefined;
    readonly journal: string | undefined;
  };
  /** Non-blank input lines when known; `done` includes what earlier runs finished. */
  readonly total: number | undefined;
  readonly done: number;
  /** Records written by this run, and by earlier runs of the same journal. */
  readonly counts: Readonly<Record<RecordKind, number>>;
  readonly earlier: Readonly<Record<RecordKind, number>>;
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Calls cancelled when the run stopped; a rerun sends them again. */
  readonly unfinished: number;
  /** Records the response cache answered, without a call or a cost. */
  readonly cached: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** This run's estimated cost; `totalCostUsd` adds earlier runs'. */
  readonly costUsd: number;
  readonly totalCostUsd: number;
  readonly unpricedModels: readonly string[];
  /** From the run's start to its last finished record (ms). */
  readonly makespanMs: number;
  readonly requestsPerMinute: number;
  readonly tokensPerMinute: number;
  /** Requests and tokens per minute in force at the end (configured or learned), if known. */
  readonly ceilingRpm: number | undefined;
  readonly ceilingTpm: number | undefined;
  readonly slowest: readonly SlowItem[];
  /** The executor's closing word (auto mode: what each path cost), printed under its phase. */
  readonly closing?: { readonly phase: string; readonly detail?: string | undefined } | undefined;
}

export function summarize(
  stats: RecordTally,
  lanes: readonly LaneSnapshot[],
  /** Unused: the lanes report their configured limits too. Kept until the engine passes the tally alone. */
  _configured: { readonly rpm: number | undefined; readonly tpm: number | undefined },
  end: { outcome: BatchOutcome; reason: string | undefined; files: BatchSummary['files'] },
): BatchSummary {
  const makespanMs = Math.max(0, stats.lastDoneAt - stats.startedAt);
  const tokens = stats.promptTokens + stats.completionTokens;
  return {
    ...end,
    total: stats.total,
    done: stats.done,
    counts: { ...stats.counts },
    earlier: { ...stats.earlier },
    failuresByCode: Object.fromEntries(stats.failuresByCode),
    unfinished: stats.unfinished,
    cached: stats.cached,
    promptTokens: stats.promptTokens,
    completionTokens: stats.completionTokens,
    costUsd: stats.costUsd,
    totalCostUsd: stats.costUsd + stats.earlierCostUsd,
    unpricedModels: [...stats.unpriced],
    makespanMs,
    // The one rate rule (src/format/rate.ts): it cannot read above the ceiling the lanes kept to.
    requestsPerMinute: perMinute(stats.calls, makespanMs),
    tokensPerMinute: perMinute(tokens, makespanMs),
    // What each lane reports in force (configured or learned), as the bar and `volley status` sum it.
    ceilingRpm: sumKnown(lanes.map((l) => l.rpm)),
    ceilingTpm: sumKnown(lanes.map((l) => l.tpm)),
    slowest: [...stats.slowest],
  };
}

function sumKnown(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return values.reduce((a: number, b) => a + b!, 0);
}

const HEADLINE: Record<BatchOutcome, string> = {
  completed: 'finished',
  interrupted: 'interrupted',
  budget: 'stopped at the budget',
  fatal: 'stopped early',
  detached: 'submitted its batches and detached',
};

export function formatSummary(s: BatchSummary): string {
  const c = s.counts;
  const lines = [
    `volley run ${HEADLINE[s.outcome]} after ${formatDuration(s.makespanMs)}${s.reason ? `: ${s.reason}` : ''}`,
  ];
  const of = s.total === undefined ? '' : ` of ${formatCount(s.total)}`;
  const codes = Object.entries(s.failuresByCode).map(([code, n]) => `${code} ${formatCount(n)}`);
  const e = s.earlier;
  const earlier = e.ok + e.failed + e.invalid + e.duplicate;
  const before = earlier > 0 ? `${formatCount(earlier)} by earlier runs (not repeated), then ` : '';
  lines.push(
    `  lines      ${formatCount(s.done)}${of} done: ${before}${formatCount(c.ok)} answered, ${formatCount(c.failed)} failed` +
      `${codes.length ? ` (${codes.join(', ')})` : ''}, ${formatCount(c.invalid)} bad lines, ${formatCount(c.duplicate)} repeated custom_ids`,
  );
  if (s.cached > 0)
    lines.push(`  cache      ${formatCount(s.cached)} answered from the response cache (no call, no cost)`);
  if (s.unfinished > 0)
    lines.push(`  unfinished ${formatCount(s.unfinished)} calls cancelled; a rerun sends them again`);
  lines.push(
    `  tokens     ${formatCount(s.promptTokens)} prompt + ${formatCount(s.completionTokens)} completion`,
  );
  const unpriced = s.unpricedModels.length ? ` (no price for ${s.unpricedModels.join(', ')})` : '';
  const total = earlier > 0 ? `, ${formatUsd(s.totalCostUsd)} with earlier runs` : '';
  lines.push(`  cost       ${formatUsd(s.costUsd)}${total}${unpriced}`);
  if (s.closing?.detail) lines.push(`  ${s.closing.phase.padEnd(10)} ${s.closing.detail}`);
  const ceiling =
    s.ceilingRpm === undefined
      ? ''
      : ` = ${formatPercent(s.requestsPerMinute / s.ceilingRpm)} of the ${formatCount(s.ceilingRpm)} rpm ceiling`;
  lines.push(
    `  throughput ${formatCount(Math.round(s.requestsPerMinute))} requests/min${ceiling}, ${formatCount(Math.round(s.tokensPerMinute))} tokens/min`,
  );
  if (s.slowest.length > 0) {
    const slow = s.slowest.map(
      (i) =>
        `${i.custom_id} ${formatDuration(i.latency_ms)}${i.attempts > 1 ? ` (${i.attempts} attempts)` : ''}`,
    );
    lines.push(`  slowest    ${slow.join(', ')}`);
  }
  const extra = [
    s.files.errors && `errors: ${s.files.errors}`,
    s.files.journal && `journal: ${s.files.journal}`,
  ].filter(Boolean);
  lines.push(`  output     ${s.files.out}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  return `${lines.join('\n')}\n`;
}
