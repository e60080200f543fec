/**
 * Anthropic's Message Batches through `@anthropic-ai/sdk`: a batch created with the chunk's
 * requests, retrieved (a 404 just after create means "not yet", not "gone"), cancelled, and its
 * results read from `results_url`. An `errored` result's nested error is mapped as `send` maps
 * the same error; `canceled` and `expired` lines were never run and may go in a new batch.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { VolleyError } from '../errors.js';
import type { AnthropicModule } from '../providers/anthropic/errors.js';
import type { SdkClient } from '../providers/types.js';
import type { BatchLimits, BatchRemote, BatchView, LineResult } from './remote.js';

/** 100,000 requests and 256 MB per batch; the bytes with headroom for the JSON around them. */
const ANTHROPIC_LIMITS: BatchLimits = { lines: 100_000, bytes: 240_000_000 };

/** The status each error type of the Messages API comes with, so a nested one maps the same. */
const STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** How long before the plan a batch found by `findBatch` may have been created (clock skew). */
const SKEW_MS = 60_000;

export function anthropicRemote({
  sdk,
  client,
  mapError,
}: SdkClient<AnthropicModule, Anthropic>): BatchRemote {
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapError(error);
    }
  };
  return {
    kind: 'anthropic',
    limits: ANTHROPIC_LIMITS,
    line: (customId, body) => JSON.stringify({ custom_id: customId, params: body }),
    create: (_chunk, { lines }) =>
      call(async () =>
        view(await client.messages.batches.create({ requests: lines!.map((l) => JSON.parse(l)) })),
      ),
    // The API keeps no name or metadata on a batch: one created within the moments between the
    // plan and its journal entry, with exactly the chunk's number of requests, is taken as it.
    findBatch: (_chunk, { size, after }) =>
      call(async () => {
        for await (const batch of client.messages.batches.list({ limit: 100 })) {
          const created = Date.parse(batch.created_at);
          if (created < after - SKEW_MS) return undefined;
          if (view(batch).counts.total === size) return view(batch);
        }
        return undefined;
      }),
    retrieve: async (id) => {
      try {
        return view(await client.messages.batches.retrieve(id));
      } catch (error) {
        const mapped = mapError(error);
        if (mapped.code === 'not_found') return undefined;
        throw mapped;
      }
    },
    cancel: (id) => call(async () => void (await client.messages.batches.cancel(id))),
    async *results(batch) {
      const decoder = await call(() => client.messages.batches.results(batch.id));
      const lines = decoder[Symbol.asyncIterator]();
      for (;;) {
        const next = await call(() => lines.next());
        if (next.done) return;
        yield [next.value.custom_id, lineResult(next.value.result)] as const;
      }
    },
  };

  function lineResult(result: Anthropic.Messages.MessageBatchResult): LineResult {
    if (result.type === 'succeeded') return { ok: true, body: result.message, requestId: null };
    if (result.type === 'errored') {
      const body = result.error as { error?: { type?: string; message?: string } };
      const status = STATUS[body.error?.type ?? ''] ?? 500;
      const thrown = sdk.APIError.generate(status, body, body.error?.message, new Headers());
      return { ok: false, error: mapError(thrown) };
    }
    const code = result.type === 'canceled' ? 'batch_cancelled' : 'batch_expired';
    const why = result.type === 'canceled' ? 'the batch was cancelled' : 'the batch expired';
    return {
      ok: false,
      error: new VolleyError(code, `The batch did not run this request: ${why}. A new batch may answer it.`, {
        retryable: true,
      }),
    };
  }
}

function view(batch: Anthropic.Messages.MessageBatch): BatchView {
  const c = batch.request_counts;
  const failed = c.errored + c.canceled + c.expired;
  return {
    id: batch.id,
    status: batch.processing_status,
    ended: batch.processing_status === 'ended',
    counts: { total: c.processing + c.succeeded + failed, done: c.succeeded + failed, failed },
  };
}
