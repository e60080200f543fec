import { resolveBatchOptions } from './batch/resolve-options.js';
import {
  DEFAULT_ANTHROPIC_MODELS,
  DEFAULT_MODELS,
  FAULT_KINDS,
  type FaultKind,
  type ResetFormat,
  type ResolvedSimulatorOptions,
  type SimulatorClock,
  type SimulatorOptions,
} from './options.js';

const OPTION_KEYS: ReadonlySet<string> = new Set<keyof SimulatorOptions>([
  'clock',
  'seed',
  'rpm',
  'tpm',
  'burstWindowMs',
  'limitHeaders',
  'resetFormat',
  'fixedResetMs',
  'retryAfter',
  'latencyMedianMs',
  'latencySpread',
  'msPerOutputToken',
  'outputTokens',
  'outputTokensSpread',
  'faults',
  'apiKey',
  'models',
  'quotaExhausted',
  'contextWindow',
  'hangMs',
  'batches',
  'anthropicModels',
  'epochMs',
]);

const performanceClock: SimulatorClock = { now: () => performance.now() };

/** Applies the defaults once and rejects anything the simulator could not honour, naming the option. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('simulator options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`Unknown simulator option "${key}"`);
  }
  const clock = options.clock ?? performanceClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new TypeError('simulator option "clock" must be an object with a now() method');
  }
  if (clock.setTimer !== undefined && typeof clock.setTimer !== 'function') {
    throw new TypeError('simulator option "clock.setTimer" must be a function when given');
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new TypeError(`simulator option "seed" must be an integer, got ${seed}`);
  const models = options.models ?? DEFAULT_MODELS;
  if (!Array.isArray(models) || models.some((model) => typeof model !== 'string' || model === '')) {
    throw new TypeError('simulator option "models" must be an array of non-empty strings');
  }
  const anthropicModels = options.anthropicModels ?? DEFAULT_ANTHROPIC_MODELS;
  if (!Array.isArray(anthropicModels) || anthropicModels.some((m) => typeof m !== 'string' || m === '')) {
    throw new TypeError('simulator option "anthropicModels" must be an array of non-empty strings');
  }
  const apiKey = options.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '')) {
    throw new TypeError('simulator option "apiKey" must be a non-empty string when given');
  }
  const quotaExhausted = flag('quotaExhausted', options.quotaExhausted, false);
  const resetFormat = options.resetFormat ?? 'duration';
  if (!RESET_FORMATS.includes(resetFormat))
    throw new TypeError(
      `simulator option "resetFormat" must be one of ${RESET_FORMATS.join(', ')}, got ${String(resetFormat)}`,
    );
  return {
    clock,
    seed,
    rpm: optionalLimit('rpm', options.rpm),
    tpm: optionalLimit('tpm', options.tpm),
    burstWindowMs: positive('burstWindowMs', options.burstWindowMs ?? 1000),
    limitHeaders: flag('limitHeaders', options.limitHeaders, true),
    resetFormat,
    fixedResetMs:
      options.fixedResetMs === undefined ? undefined : nonNegative('fixedResetMs', options.fixedResetMs),
    retryAfter: flag('retryAfter', options.retryAfter, true),
    latencyMedianMs: nonNegative('latencyMedianMs', options.latencyMedianMs ?? 400),
    latencySpread: nonNegative('latencySpread', options.latencySpread ?? 0),
    msPerOutputToken: nonNegative('msPerOutputToken', options.msPerOutputToken ?? 0),
    outputTokens: positiveInteger('outputTokens', options.outputTokens ?? 20),
    outputTokensSpread: checked(
      'outputTokensSpread',
      options.outputTokensSpread ?? 0,
      (options.outputTokensSpread ?? 0) >= 0 && (options.outputTokensSpread ?? 0) < 1,
      'a number from 0 up to (not including) 1',
    ),
    faults: resolveFaults(options.faults ?? {}),
    apiKey,
    models: [...models],
    quotaExhausted,
    contextWindow: positiveInteger('contextWindow', options.contextWindow ?? 128_000),
    hangMs: positive('hangMs', options.hangMs ?? 600_000),
    batches: resolveBatchOptions(options.batches),
    anthropicModels: [...anthropicModels],
    epochMs: nonNegative('epochMs', options.epochMs ?? Date.now()),
  };
}

function resolveFaults(faults: object): Readonly<Record<FaultKind, number>> {
  if (typeof faults !== 'object' || faults === null)
    throw new TypeError('simulator option "faults" must be an object');
  const known: ReadonlySet<string> = new Set(FAULT_KINDS);
  for (const key of Object.keys(faults)) {
    if (!known.has(key)) throw new TypeError(`Unknown simulator option "faults.${key}"`);
  }
  const given = faults as Partial<Record<FaultKind, unknown>>;
  const rates = {} as Record<FaultKind, number>;
  let sum = 0;
  for (const kind of FAULT_KINDS) {
    const rate = given[kind] ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new TypeError(
        `simulator option "faults.${kind}" must be a probability between 0 and 1, got ${rate}`,
      );
    }
    rates[kind] = rate;
    sum += rate;
  }
  // A little slack so that rates like 0.1 + 0.2 + 0.7 are not refused for floating-point noise.
  if (sum > 1 + 1e-9)
    throw new TypeError(`simulator option "faults" rates must add up to at most 1, got ${sum}`);
  return rates;
}

const RESET_FORMATS: readonly ResetFormat[] = ['duration', 'seconds', 'timestamp'];

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`simulator option "${name}" must be a boolean`);
  return value;
}

function optionalLimit(name: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : positive(name, value);
}

function positive(name: string, value: number): number {
  return checked(name, value, value > 0, 'a positive finite number');
}

function nonNegative(name: string, value: number): number {
  return checked(name, value, value >= 0, 'a finite number >= 0');
}

function positiveInteger(name: string, value: number): number {
  return checked(name, value, Number.isSafeInteger(value) && value > 0, 'a positive integer');
}

function checked(name: string, value: number, ok: boolean, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok) {
    throw new TypeError(`simulator option "${name}" must be ${what}, got ${value}`);
  }
  return value;
}
