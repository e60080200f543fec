/**
 * An item on its way through batches, and the record it ends in: an answer read exactly as
 * `send` reads one (`provider.readBody`) and priced at the batch tier, or a failure with the
 * attempts (batches) it took. Records are built by the same functions as a realtime run's.
 */
import type { VolleyError } from '../errors.js';
import type { CallRequest, Provider } from '../providers/types.js';
import type { OutputRecord } from '../records/types.js';
import { failureRecord, resultRecord } from '../run/executors/call-records.js';
import type { Prices, WorkItem } from '../run/types.js';
import type { Plannable } from './plan.js';

export interface Member extends Plannable {
  readonly item: WorkItem<CallRequest>;
  /** The request body a line carries (`provider.requestBody`). */
  readonly body: Record<string, unknown>;
  /** Batches that have held it, this one included once it is planned. */
  attempts: number;
  settled: boolean;
}

/** The record of a line a batch answered: `startedAt` is when its batch was created. */
export function answerRecord(
  member: Member,
  answer: { readonly body: unknown; readonly requestId: string | null },
  provider: Provider,
  pricing: Prices,
  times: { readonly startedAt: number; readonly finishedAt: number },
): OutputRecord {
  const { item, model, attempts } = member;
  let read: ReturnType<Provider['readBody']>;
  try {
    read = provider.readBody(answer.body, model);
  } catch (error) {
    return failedRecord(member, error as VolleyError);
  }
  const usage = read.usage;
  const result = {
    id: item.key,
    ...read,
    requestID: answer.requestId ?? undefined,
    raw: answer.body,
    timings: {
      enqueuedAt: times.startedAt,
      startedAt: times.startedAt,
      finishedAt: times.finishedAt,
      queuedMs: 0,
      attempts,
      latencyMs: Math.max(0, times.finishedAt - times.startedAt),
    },
  };
  const cost = usage && pricing.cost(read.model, usage, 'batch');
  return resultRecord(item.line, item.key, result, cost);
}

export function failedRecord(member: Member, error: VolleyError): OutputRecord {
  error.attempts = member.attempts;
  return failureRecord(member.item.line, member.item.key, member.model, error);
}
