/**
 * `volley run --mode`: who answers the lines. `realtime` (the default) sends each through the
 * local lanes; `batch-api` puts them in the provider's Batch API at the batch price, with
 * `--poll`, `--detach` and `--enqueued-tokens`. Only the executor differs: the input, records,
 * order, errors file, resume and exit codes are the engine's, the same for every mode.
 */
import { oneOf } from '../options/check.js';
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
} as const;

export const modeFlagsUsage = `Mode:
  --mode realtime|batch-api   realtime (default): each line a call through the rate-limited lanes;
                        batch-api: the provider's Batch API (OpenAI, or Anthropic with
                        --provider anthropic) at half price, answered within 24 hours
  --poll 60s            batch-api: how often each batch is looked at (default: 60s, with jitter)
  --detach              batch-api: submit the batches, say how to come back, and exit 0;
                        rerunning the same command collects the answers
  --enqueued-tokens N   batch-api: prompt tokens the account may have enqueued per model (the
                        API does not say; a batch refused for it lowers it for the run)
  (--max-attempts N is the number of batches a line may go through; default 3)`;

export interface ModeFlagValues {
  readonly mode?: string | undefined;
  readonly poll?: string | undefined;
  readonly detach?: boolean | undefined;
  readonly 'enqueued-tokens'?: string | undefined;
  readonly 'max-attempts'?: string | undefined;
}

export const MODES = ['realtime', 'batch-api'] as const;
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
  return mode;
}

/** The executor for the mode, and how many items it wants read ahead of the answers. */
export async function modeExecutor(
  mode: RunMode,
  client: CliClient,
  values: ModeFlagValues,
): Promise<{ executor: Executor<CallRequest>; inFlight: number | undefined }> {
  if (mode === 'realtime') return { executor: callsExecutor(client.volley), inFlight: undefined };
  const { batchApiExecutor } = await import('../batch-api/executor.js');
  const executor = batchApiExecutor({
    provider: client.volley.options.provider,
    model: client.model,
    pollMs: durationFlag('poll', values.poll),
    detach: values.detach,
    enqueuedTokens: numberFlag('enqueued-tokens', values['enqueued-tokens'], { integer: true }),
    maxAttempts: numberFlag('max-attempts', values['max-attempts'], { integer: true }),
    // --cache: lines answered before are not uploaded, and the batches' answers are kept.
    cache: client.volley.options.cache,
  });
  // Every line goes in a batch at once: the whole input is read ahead (up to a million lines).
  return { executor, inFlight: 1_000_000 };
}
