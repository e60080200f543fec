/**
 * `volley/batch`: batch runs of call requests on the run engine. `runBatch` over any iterable of
 * JSONL lines or parsed lines, the input parsing it uses, the dry run, and the price table.
 */

export { RecordTally, type SlowItem } from '../records/tally.js';
export type { OutputError, OutputRecord, RecordKind, RunRecord } from '../records/types.js';
export type { BudgetLimits } from '../run/budget.js';
export { RunError, type RunErrorCode } from '../run/errors.js';
export type { EndpointIdentity } from '../run/identity.js';
export type { OutputOrder } from '../run/ordered-writer.js';
export type { BudgetState, RunOutcome, RunSummary } from '../run/summary.js';
export { type DryRunOptions, type DryRunReport, dryRun, formatDryRun } from './dry-run.js';
export { type Estimate, estimate } from './estimate.js';
export { type BatchItem, type InputProblem, type ParsedLine, parseLine, parseValue } from './input.js';
export {
  checkPrices,
  DEFAULT_PRICES,
  type ModelPrice,
  type PriceTable,
  Pricing,
  readPriceFile,
} from './pricing.js';
export { countLines, readFileLines, readLines } from './read-lines.js';
export { type CallsReaderOptions, callsReader } from './reader.js';
export { type BatchOptions, runBatch } from './run-batch.js';
export { compileTemplate, type Template } from './template.js';
