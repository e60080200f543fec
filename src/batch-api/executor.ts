/**
 * The `batch-api` executor: items answered through the provider's Batch API at the batch price
 * (OpenAI Files + Batches, Anthropic Message Batches), with the same records as a realtime run.
 * `BatchRun` does the work; this is the interface the engine sees.
 */
import type { CallRequest } from '../providers/types.js';
import type { Executor } from '../run/types.js';
import { BatchRun } from './batch-run.js';
import type { BatchApiOptions } from './options.js';
import { remoteFor } from './remote-for.js';

export function batchApiExecutor(options: BatchApiOptions): Executor<CallRequest> {
  let current: BatchRun | undefined;
  return {
    name: 'batch-api',
    tier: 'batch',
    run(items, context) {
      return (async function* () {
        const remote = options.remote ?? (await remoteFor(options.provider));
        current = new BatchRun(remote, options, context);
        yield* current.outcomes(items);
      })();
    },
    stop(what) {
      if (what === 'queued') current?.stopQueued();
      else current?.halt();
    },
  };
}
