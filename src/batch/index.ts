/** Batch runs from files: `runBatch` over any iterable of JSONL lines or parsed lines. */

export { RecordTally, type SlowItem } from '../records/tally.js';
export type { OutputError, OutputRecord, RecordKind } from '../records/types.js';
export { Budget, type BudgetLimits, type Estimate, estimate } from './budget.js';
export { type DryRunOptions, type DryRunReport, dryRun, formatDryRun } from './dry-run.js';
export { BatchError, type BatchErrorCode } from './errors.js';
export { type BatchItem, type InputProblem, type ParsedLine, parseLine, parseValue } from './input.js';
export type { JournalHeader } from './journal.js';
export type { OutputOrder } from './ordered-writer.js';
export { batchPaths } from './paths.js';
export {
  checkPrices,
  DEFAULT_PRICES,
  type ModelPrice,
  type PriceTable,
  Pricing,
  readPriceFile,
} from './pricing.js';
export { countLines, readFileLines, readLines } from './read-lines.js';
export { type BatchOptions, runBatch } from './run-batch.js';
export { type BatchOutcome, type BatchSummary, formatSummary } from './summary.js';
export { compileTemplate, type Template } from './template.js';
