import {
  describe,
  fraction,
  nonNegative,
  OptionError,
  oneOf,
  positive,
  rejectUnknown,
  wholePositive,
} from '../../options/check.js';
import {
  BATCH_WINDOW_MS,
  type BatchNumbers,
  type LineFault,
  type ResolvedBatchFaults,
  type ResolvedBatchOptions,
  type SimulatorBatchOptions,
} from './options.js';

const KEYS = [
  'timeScale',
  'validationMs',
  'msPerLine',
  'finalizingMs',
  'cancellingMs',
  'enqueuedTokenLimit',
  'faults',
];
const FAULT_KEYS = ['lines', 'invalidLines', 'stall', 'notFoundOnFirstRetrieve'];
const KINDS = ['invalid_request', 'server_error', 'overloaded'] as const;

/** Applies the defaults and scales every duration to clock milliseconds, naming any bad option. */
export function resolveBatchOptions(options: SimulatorBatchOptions = {}): ResolvedBatchOptions {
  record('batches', options);
  rejectUnknown(options, KEYS, (key) => `\`batches.${key}\``);
  const scale = positive('batches.timeScale', options.timeScale) ?? 1;
  const ms = (name: keyof SimulatorBatchOptions, fallback: number) =>
    (nonNegative(`batches.${name}`, options[name]) ?? fallback) / scale;
  return {
    timeScale: scale,
    windowMs: BATCH_WINDOW_MS / scale,
    validationMs: ms('validationMs', 5000),
    msPerLine: ms('msPerLine', 1000),
    finalizingMs: ms('finalizingMs', 2000),
    cancellingMs: ms('cancellingMs', 5000),
    enqueuedTokenLimit: wholePositive('batches.enqueuedTokenLimit', options.enqueuedTokenLimit),
    faults: resolveFaults(options.faults ?? {}),
  };
}

function resolveFaults(faults: SimulatorBatchOptions['faults'] & object): ResolvedBatchFaults {
  record('batches.faults', faults);
  rejectUnknown(faults, FAULT_KEYS, (key) => `\`batches.faults.${key}\``);
  const lines = faults.lines ?? [];
  if (!Array.isArray(lines)) throw new OptionError('Expected `batches.faults.lines` to be an array.');
  const { invalidLines, stall, notFoundOnFirstRetrieve } = faults;
  if (invalidLines !== undefined) {
    record('batches.faults.invalidLines', invalidLines);
    numbers('batches.faults.invalidLines.lines', invalidLines.lines);
    numbers('batches.faults.invalidLines.batches', invalidLines.batches);
  }
  if (stall !== undefined) {
    record('batches.faults.stall', stall);
    nonNegative('batches.faults.stall.afterLines', stall.afterLines ?? Number.NaN);
    numbers('batches.faults.stall.batches', stall.batches);
  }
  const notFound = notFoundOnFirstRetrieve === true ? {} : notFoundOnFirstRetrieve;
  if (notFound !== undefined) {
    record('batches.faults.notFoundOnFirstRetrieve', notFound);
    numbers('batches.faults.notFoundOnFirstRetrieve.batches', notFound.batches);
  }
  return { lines: lines.map(lineFault), invalidLines, stall, notFoundOnFirstRetrieve: notFound };
}

function lineFault(fault: LineFault, index: number): LineFault {
  const name = `batches.faults.lines[${index}]`;
  record(name, fault);
  rejectUnknown(fault, ['rate', 'kind', 'batches'], (key) => `\`${name}.${key}\``);
  fraction(`${name}.rate`, fault.rate ?? Number.NaN);
  oneOf(`${name}.kind`, fault.kind ?? '', KINDS);
  numbers(`${name}.batches`, fault.batches);
  return fault;
}

function numbers(name: string, value: BatchNumbers | undefined): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new OptionError(`Expected \`${name}\` to be an array of whole numbers.`);
  for (const [i, n] of value.entries()) wholePositive(`${name}[${i}]`, n);
}

function record(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OptionError(`Expected \`${name}\` to be an object, got ${describe(value)}.`);
}
