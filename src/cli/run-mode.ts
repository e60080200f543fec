/**
 * `volley run --mode`: who answers the lines. `realtime` (the default) sends each through the
 * local lanes; `batch-api` puts them in the provider's Batch API at the batch price, with
 * `--poll`, `--detach` and `--enqueued-tokens`; `auto` batches first and switches to realtime
 * when `--finish-by` needs it. Only the executor differs: the input, records, order, errors file,
 * resume and exit codes are the engine's, the same for every mode.
 */

import type { FinishBy } from '../batch-api/deadline.js';
import { oneOf } from '../options/check.js';
import type { PriceTier } from '../pricing/index.js';
import type { CallRequest } from '../providers/types.js';
import { callsExecutor } from '../run/executors/calls.js';
import type { Executor } from '../run/types.js';
import { durationFlag, numberFlag, UsageError } from './args.js';
import type { CliClient } from './client-flags.js';

export const modeFlagOptions = {
  mode: { type: 'string' },
  poll: { type: 'string' },
  detach: { type: 'boolean' },
  'enqueued-tokens': { type: 'string' },
  'finish-by': { type: 'string' },
  'cancel-allowance': { type: 'string' },
} as const;

export const modeFlagsUsage = `Mode:
  --mode realtime|batch-api|auto   realtime (default): each line a call through the rate-limited
                        lanes; batch-api: the provider's Batch API (OpenAI, or Anthropic with
                        --provider anthropic) at half price, answered within 24 hours;
                        auto: the Batch API until realtime needs the time left to finish by
                        --finish-by, then the batches are cancelled, what they answered is kept,
                        and the rest goes through the lanes (no line is paid twice)
  --finish-by 8h        auto: when the whole run must be done: a duration from the run's first
                        start (a rerun keeps it; it is journaled) or a time (2026-12-03T09:00Z).
                        Realtime's pace is --rpm/--tpm, else what the lane learns from the
                        server's headers. (--deadline stays each call's own time budget.)
  --cancel-allowance 10m   auto: how long a cancelled batch may take to end, kept free before
                        the deadline (default: 10m, the most OpenAI takes)
  --poll 60s            batch-api, auto: how often each batch is looked at (default: 60s, with jitter)
  --detach              batch-api: submit the batches, say how to come back, and exit 0;
                        rerunning the same command collects the answers
  --enqueued-tokens N   batch-api, auto: prompt tokens the account may have enqueued per model
                        (the API does not say; a batch refused for it lowers it for the run)
  (--max-attempts N is the number of batches a line may go through; default 3)`;

export interface ModeFlagValues {
  readonly mode?: string | undefined;
  readonly poll?: string | undefined;
  readonly detach?: boolean | undefined;
  readonly 'enqueued-tokens'?: string | undefined;
  readonly 'max-attempts'?: string | undefined;
  readonly 'finish-by'?: string | undefined;
  readonly 'cancel-allowance'?: string | undefined;
  readonly deadline?: string | undefined;
}

export const MODES = ['realtime', 'batch-api', 'auto'] as const;
export type RunMode = (typeof MODES)[number];

export function runMode(values: ModeFlagValues): RunMode {
  let mode: RunMode;
  try {
    mode = oneOf('--mode', values.mode ?? 'realtime', MODES) ?? 'realtime';
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const batchOnly = (['poll', 'detach', 'enqueued-tokens'] as const).find((f) => values[f] !== undefined);
  if (mode === 'realtime' && batchOnly) throw new UsageError(`--${batchOnly} goes with --mode batch-api.`);
  const autoOnly = (['finish-by', 'cancel-allowance'] as const).find((f) => values[f] !== undefined);
  if (mode !== 'auto' && autoOnly)
    throw new UsageError(`--${autoOnly} goes with --mode auto (the run-wide deadline it meets).`);
  if (mode === 'auto' && values.detach)
    throw new UsageError(
      '--detach goes with --mode batch-api: --mode auto watches its deadline until the end.',
    );
  if (mode === 'auto' && values['finish-by'] === undefined)
    throw new UsageError(
      `--mode auto needs --finish-by, the whole run's deadline (e.g. --finish-by 8h, or a time such as 2026-12-03T09:00Z)${values.deadline === undefined ? '' : "; --deadline is each call's own time budget"}.`,
    );
  return mode;
}

/** The price a mode's lines are estimated at (`--dry-run`): auto pays the batch price for what its batches answer. */
export function modeTier(mode: RunMode): PriceTier {
  return mode === 'realtime' ? 'realtime' : 'batch';
}

/** `--finish-by`: a duration (`8h`) from the run's first start, or a date and time. */
function finishByFlag(value: string): FinishBy {
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    const at = Date.parse(value);
    if (Number.isNaN(at))
      throw new UsageError(
        `--finish-by takes a duration such as 8h or a time such as 2026-12-03T09:00Z, got '${value}'.`,
      );
    return { at };
  }
  return { afterMs: durationFlag('finish-by', value)! };
}

/** The executor for the mode, and how many items it wants read ahead of the answers. */
export async function modeExecutor(
  mode: RunMode,
  client: CliClient,
  values: ModeFlagValues,
): Promise<{ executor: Executor<CallRequest>; inFlight: number | undefined }> {
  if (mode === 'realtime') return { executor: callsExecutor(client.volley), inFlight: undefined };
  const batch = {
    provider: client.volley.options.provider,
    model: client.model,
    pollMs: durationFlag('poll', values.poll),
    detach: values.detach,
    enqueuedTokens: numberFlag('enqueued-tokens', values['enqueued-tokens'], { integer: true }),
    maxAttempts: numberFlag('max-attempts', values['max-attempts'], { integer: true }),
    // --cache: lines answered before are not uploaded, and the batches' answers are kept.
    cache: client.volley.options.cache,
  };
  const executor =
    mode === 'auto'
      ? (await import('../batch-api/auto.js')).autoExecutor({
          batch,
          realtime: callsExecutor(client.volley),
          finishBy: finishByFlag(values['finish-by']!),
          cancelMs: durationFlag('cancel-allowance', values['cancel-allowance']),
          pace: () => lanePace(client),
        })
      : (await import('../batch-api/executor.js')).batchApiExecutor(batch);
  // Every line goes in a batch at once: the whole input is read ahead (up to a million lines).
  return { executor, inFlight: 1_000_000 };
}

/** Realtime's pace: the default model's lane (its configured limits, or those it learned), else the flags. */
function lanePace(client: CliClient): { rpm: number | undefined; tpm: number | undefined } {
  const { rpm, tpm } = client.volley.options;
  const lane = client.volley.lanes().find((l) => l.model === client.model);
  return { rpm: lane?.rpm ?? rpm, tpm: lane?.tpm ?? tpm };
}
