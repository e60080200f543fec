/** Prompt chains: flows whose independent steps run at once, with traces and durable steps. */
export type { BatchOptions, BatchResult } from './batch.js';
export { criticalPath, type FlowSummary, formatDuration, formatSummary, summarize } from './critical-path.js';
export { FlowJournal, hashInput, type JournalRecord, journalKey, type StepJournal } from './durable.js';
export { FlowStepError } from './errors.js';
export { type Flow, type FlowRun, flow, isFlow, type RunOptions } from './flow.js';
export { loadFlow } from './load-flow.js';
export { LineSplitter, listItem, parseJsonBlock, parseList } from './parsers.js';
export type { FlowClient } from './run-context.js';
export { schemaParser, toJsonSchema } from './structured.js';
export { type Span, type SpanKind, type SpanStatus, Trace, type TraceJSON } from './trace.js';
export type {
  Branch,
  Branches,
  BranchOutcomes,
  BranchValues,
  LlmOptions,
  MapOptions,
  ParseOptions,
  SchemaOptions,
  Step,
  StepOutcome,
  StepRequest,
  StepStream,
  StreamOptions,
} from './types.js';
