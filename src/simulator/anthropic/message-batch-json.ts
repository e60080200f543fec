import { rfc3339 } from '../batch/context.js';
import { stepAt } from '../batch/steps.js';
import type { MessageBatch } from './message-batch.js';

/**
 * The `message_batch` object at `now` (after `settle`). Requests count as `processing` until the
 * whole batch ends, as the API reports them. `results_url` is absolute, on `base` (the URL the
 * request came to, up to `/messages/batches`), so the SDK follows it back to this simulator.
 */
export function messageBatchObject(batch: MessageBatch, now: number, base: string): object {
  const { context, id } = batch;
  const { steps } = batch.timeline();
  const { status, at } = stepAt(steps, now);
  const ended = status === 'ended';
  const canceling = steps.find((step) => step.status === 'canceling' && step.at <= now);
  const counts = batch.results?.counts ?? { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  return {
    id,
    type: 'message_batch',
    processing_status: status,
    request_counts: { processing: ended ? 0 : batch.requests.length, ...counts },
    ended_at: ended ? rfc3339(context, at) : null,
    created_at: rfc3339(context, batch.createdAt),
    expires_at: rfc3339(context, batch.plan.expiresAt),
    archived_at: null,
    cancel_initiated_at: canceling ? rfc3339(context, canceling.at) : null,
    results_url: ended ? `${base}/messages/batches/${id}/results` : null,
  };
}

/** The request's URL up to `/messages/batches`: `http://127.0.0.1:8787/v1`, or the in-process base. */
export function batchesBase(request: Request): string {
  const url = new URL(request.url);
  const path = url.pathname.replace(/\/+$/, '');
  return url.origin + path.slice(0, path.lastIndexOf('/messages/batches'));
}
