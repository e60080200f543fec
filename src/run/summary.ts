/**
 * What a run returns when it ends, whichever executor answered it: how it ended and why, where
 * its files are, what this invocation did against the journal (new, changed, unchanged, dropped),
 * the tally's counts, tokens and spend, the budget, and whether a rerun would go on. The command
 * line renders it (`report` owns the text) and maps `outcome` to the exit code.
 */
import { perMinute } from '../format/index.js';
import type { RecordTally, SlowItem } from '../records/tally.js';
import type { RecordKind } from '../records/types.js';
import type { BudgetLimits, RunBudget } from './budget.js';
import type { ResumeCounts } from './feed.js';
import type { ExecutorStatus } from './types.js';

/** How the invocation ended; `exitCodeForRun` in the CLI maps it. */
export type RunOutcome = 'completed' | 'interrupted' | 'budget' | 'fatal' | 'detached';

export interface BudgetState {
  readonly limits: BudgetLimits;
  /** Spent by the whole run, every invocation and superseded records included. */
  readonly spentUsd: number;
  readonly spentTokens: number;
  /** Which limit stopped the run, if one did. */
  readonly reached: 'cost' | 'tokens' | undefined;
  /**
   * What the lines not yet done are expected to cost, from the answers so far, when the number of
   * lines is known: what to raise the limit to (`spent + remaining`) to finish.
   */
  readonly remaining: { readonly lines: number; readonly usd: number; readonly tokens: number } | undefined;
}

export interface RunSummary {
  readonly outcome: RunOutcome;
  /** Why the run stopped early (the fatal error, the budget reached), in one sentence. */
  readonly reason: string | undefined;
  /** `calls`, `flow`, ...: the executor that answered. */
  readonly executor: string;
  /** 1 for the run's first invocation. */
  readonly invocation: number;
  readonly files: {
    readonly out: string | undefined;
    readonly errors: string | undefined;
    readonly journal: string | undefined;
  };
  /** Non-blank input lines when known; `done` includes what earlier invocations finished. */
  readonly total: number | undefined;
  readonly done: number;
  /** Records written by this invocation, and kept from earlier ones. */
  readonly counts: Readonly<Record<RecordKind, number>>;
  readonly earlier: Readonly<Record<RecordKind, number>>;
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Items handed to the executor and cancelled when the run stopped; a rerun sends them again. */
  readonly unfinished: number;
  /** Records of this invocation the response cache answered, without a call or a cost. */
  readonly cached: number;
  /** What this invocation found in the input against the journal. */
  readonly resume: ResumeCounts & {
    /** What changed in the endpoint since the last invocation (accepted with `rerunChanged`). */
    readonly identityChanges: readonly string[];
  };
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** This invocation's estimated cost; `totalCostUsd` is the whole run's, superseded records included. */
  readonly costUsd: number;
  readonly totalCostUsd: number;
  readonly unpricedModels: readonly string[];
  readonly budget: BudgetState | undefined;
  /** From the invocation's start to its last finished record (ms). */
  readonly makespanMs: number;
  readonly requestsPerMinute: number;
  readonly tokensPerMinute: number;
  /** Requests and tokens per minute in force at the end, if known (the library face fills them in). */
  readonly ceilingRpm: number | undefined;
  readonly ceilingTpm: number | undefined;
  readonly slowest: readonly SlowItem[];
  /** Some record of the output is a failure, a bad line or a repeated key (exit code 1). */
  readonly anyItemFailed: boolean;
  /** A rerun of the same command would do more (the run stopped before every line had a record). */
  readonly resumable: boolean;
  /** Things the user should know that did not stop the run (a damaged journal repaired, ...). */
  readonly warnings: readonly string[];
  /** The executor's closing word, if it had one (`ExecutorStatus.final`). */
  readonly closing: ExecutorStatus | undefined;
}

export interface SummaryParts {
  readonly outcome: RunOutcome;
  readonly reason: string | undefined;
  readonly executor: string;
  readonly invocation: number;
  readonly files: RunSummary['files'];
  readonly tally: RecordTally;
  readonly resume: RunSummary['resume'];
  readonly budget: RunBudget;
  readonly outputCounts: Readonly<Record<RecordKind, number>>;
  readonly warnings: readonly string[];
  readonly closing?: ExecutorStatus | undefined;
}

export function summarize(parts: SummaryParts): RunSummary {
  const { tally, budget, outcome, outputCounts } = parts;
  const makespanMs = Math.max(0, tally.lastDoneAt - tally.startedAt);
  const tokens = tally.promptTokens + tally.completionTokens;
  const left = tally.total === undefined ? undefined : Math.max(0, tally.total - tally.done);
  const each = budget.expect(undefined);
  return {
    outcome,
    reason: parts.reason,
    executor: parts.executor,
    invocation: parts.invocation,
    files: parts.files,
    total: tally.total,
    done: tally.done,
    counts: { ...tally.counts },
    earlier: { ...tally.earlier },
    failuresByCode: Object.fromEntries(tally.failuresByCode),
    unfinished: tally.unfinished,
    cached: tally.cached,
    resume: parts.resume,
    promptTokens: tally.promptTokens,
    completionTokens: tally.completionTokens,
    costUsd: tally.costUsd,
    totalCostUsd: budget.spent.usd,
    unpricedModels: [...tally.unpriced],
    budget: budget.active
      ? {
          limits: budget.limits,
          spentUsd: budget.spent.usd,
          spentTokens: budget.spent.tokens,
          reached: budget.reached,
          remaining:
            left === undefined || each === undefined
              ? undefined
              : { lines: left, usd: left * each.usd, tokens: Math.round(left * each.tokens) },
        }
      : undefined,
    makespanMs,
    // The one rate rule (src/format/rate.ts): it cannot read above the ceiling the lanes kept to.
    requestsPerMinute: perMinute(tally.calls, makespanMs),
    tokensPerMinute: perMinute(tokens, makespanMs),
    ceilingRpm: undefined,
    ceilingTpm: undefined,
    slowest: [...tally.slowest],
    anyItemFailed: outputCounts.failed + outputCounts.invalid + outputCounts.duplicate > 0,
    resumable: outcome !== 'completed',
    warnings: parts.warnings,
    closing: parts.closing,
  };
}
