/**
 * `runBatch(source, options)`: every line of `source` as a call through a `Volley`, one output
 * record per line, on the run engine (journal, resume by content, budget, lock, summary). The
 * library face of `volley run`; it never prints and never exits.
 */
import type { Volley } from '../client/volley.js';
import { positive, rejectUnknown, wholePositive } from '../options/check.js';
import type { CallRequest } from '../providers/types.js';
import type { RecordTally } from '../records/tally.js';
import type { BudgetLimits } from '../run/budget.js';
import { runEngine } from '../run/engine.js';
import { callsExecutor } from '../run/executors/calls.js';
import { type EndpointIdentity, identityOf } from '../run/identity.js';
import type { OutputOrder } from '../run/ordered-writer.js';
import type { RunSummary } from '../run/summary.js';
import type { Executor, ExecutorStatus } from '../run/types.js';
import { Pricing } from './pricing.js';
import { callsReader } from './reader.js';
import { compileTemplate, type Template } from './template.js';

export interface BatchOptions {
  readonly volley: Volley;
  /** Output JSONL file (one record per input line), or a stream for the records. */
  readonly out: string | NodeJS.WritableStream;
  /** Failed and bad lines again, on their own. @default `<out stem>.errors.jsonl`; false for none */
  readonly errors?: string | false | undefined;
  /** The run journal. @default `<out stem>.journal.jsonl`; false for none (no resume) */
  readonly journal?: string | false | undefined;
  /** @default 'input' */
  readonly order?: OutputOrder | undefined;
  /** Fills each line's prompt from its fields, e.g. `'Summarise: {{text}}'`. */
  readonly template?: string | Template | undefined;
  /** Fail unless there is a journal to resume. @default false (resume when there is one) */
  readonly resume?: boolean | undefined;
  /** Start over, replacing the journal and the output. @default false */
  readonly force?: boolean | undefined;
  /** Accept another endpoint than the journal's; the lines whose hash differs under it are sent again. @default false */
  readonly rerunChanged?: boolean | undefined;
  /** Send again the lines whose last record is a failure. @default false */
  readonly retryFailed?: boolean | undefined;
  /** Caps for the whole run, earlier invocations included. */
  readonly budget?: BudgetLimits | undefined;
  /** @default the built-in price table */
  readonly pricing?: Pricing | undefined;
  /**
   * Lines read and not yet answered, at most: how far ahead of the answers the input is read.
   * Fewer are handed to the lanes: their concurrency caps and half again (`run/window.ts`).
   * @default twice the client's concurrency cap, at least 1024
   */
  readonly inFlight?: number | undefined;
  /** Stops the run: no new lines, calls on the wire get `graceMs` to finish. */
  readonly signal?: AbortSignal | undefined;
  /** Cancels every call at once. */
  readonly hardSignal?: AbortSignal | undefined;
  /** @default 10_000 */
  readonly graceMs?: number | undefined;
  /** Non-blank lines in the source, when known: for progress. */
  readonly total?: number | undefined;
  /** Recorded in the journal's segment. */
  readonly inputName?: string | undefined;
  /** What answers the calls. @default from the client's provider and model */
  readonly identity?: EndpointIdentity | undefined;
  /** Who answers the lines. @default calls through `volley`'s lanes */
  readonly executor?: Executor<CallRequest> | undefined;
  /** Called once the run has started, with its live tally (for a progress display). */
  readonly onStart?: ((tally: RecordTally) => void) | undefined;
  readonly onStatus?: ((status: ExecutorStatus) => void) | undefined;
}

const KNOWN = [
  'volley',
  'out',
  'errors',
  'journal',
  'order',
  'template',
  'resume',
  'force',
  'rerunChanged',
  'retryFailed',
  'budget',
  'pricing',
  'inFlight',
  'signal',
  'hardSignal',
  'graceMs',
  'total',
  'inputName',
  'identity',
  'executor',
  'onStart',
  'onStatus',
];

export async function runBatch(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  options: BatchOptions,
): Promise<RunSummary> {
  rejectUnknown(options, KNOWN);
  const { volley } = options;
  const { concurrency, maxConcurrency, model, provider, clock, outputTokens } = volley.options;
  const inFlight =
    wholePositive('inFlight', options.inFlight) ?? Math.max(1024, 2 * (concurrency ?? maxConcurrency));
  const template =
    typeof options.template === 'string' ? compileTemplate(options.template) : options.template;
  const identity = options.identity ?? identityOf(provider, { model });
  const summary = await runEngine({
    ...options,
    source,
    reader: callsReader({ template, model: model ?? provider.defaultModel ?? '', identity }),
    executor: options.executor ?? callsExecutor(volley),
    clock,
    identity,
    pricing: options.pricing ?? new Pricing(),
    outputTokens,
    inFlight,
    graceMs: positive('graceMs', options.graceMs),
  });
  return withCeilings(summary, volley);
}

/** The rates in force at the end: a configured limit per model, or what the lanes learned. */
export function withCeilings(summary: RunSummary, volley: Volley): RunSummary {
  const lanes = volley.lanes();
  const { rpm, tpm } = volley.options;
  const sum = (values: readonly (number | undefined)[]) =>
    values.length === 0 || values.some((v) => v === undefined)
      ? undefined
      : values.reduce((a: number, b) => a + b!, 0);
  return {
    ...summary,
    ceilingRpm: rpm === undefined ? sum(lanes.map((l) => l.rpm)) : rpm * lanes.length,
    ceilingTpm: tpm === undefined ? sum(lanes.map((l) => l.tpm)) : tpm * lanes.length,
  };
}
