import type { BatchContext } from '../batch/context.js';
import { simId } from '../batch/ids.js';
import { listPage } from '../batch/list-page.js';
import { hits } from '../batch/options.js';
import type { Route } from '../batch/route-table.js';
import { authorizedAnthropic } from './auth.js';
import { readBatchRequests } from './batch-requests.js';
import { anthropicErrorResponse, anthropicErrors } from './errors.js';
import { MessageBatch } from './message-batch.js';
import { batchesBase, messageBatchObject } from './message-batch-json.js';

/** `POST /v1/messages/batches`, `GET .../{id}`, `GET .../{id}/results`, `POST .../{id}/cancel`, and the list. */
export function messageBatchesRoutes(context: BatchContext): Route[] {
  const batches = new Map<string, MessageBatch>();
  const invalid = (message: string) => anthropicErrorResponse(400, anthropicErrors.invalidRequest(message));
  // Every request is authorized, then brings all batches up to now.
  const guarded =
    (
      handle: (request: Request, batch: MessageBatch | undefined) => Response | Promise<Response>,
    ): Route['handle'] =>
    (request, { id }) => {
      if (!authorizedAnthropic(request, context.options.apiKey))
        return anthropicErrorResponse(401, anthropicErrors.authentication());
      context.settle();
      const batch = id === undefined ? undefined : batches.get(id);
      if (id !== undefined && !batch)
        return anthropicErrorResponse(404, anthropicErrors.notFound(`No message batch with id ${id}.`));
      return handle(request, batch);
    };
  const show = (request: Request, batch: MessageBatch) =>
    Response.json(messageBatchObject(batch, context.now(), batchesBase(request)));

  async function create(request: Request): Promise<Response> {
    const requests = readBatchRequests(await request.text());
    if (!Array.isArray(requests)) return anthropicErrorResponse(requests.status, requests.error);
    const number = context.nextBatchNumber();
    const id = simId('msgbatch_', number);
    const batch = new MessageBatch(id, number, context.now(), requests, context);
    batches.set(id, batch);
    context.track(batch);
    context.stats.batches.count('batchesCreated');
    return show(request, batch);
  }

  return [
    { method: 'POST', path: '/messages/batches', handle: guarded(create) },
    {
      method: 'GET',
      path: '/messages/batches',
      handle: guarded((request) => {
        const newest = [...batches.values()].reverse();
        const base = batchesBase(request);
        return Response.json(
          listPage(request, newest, (batch) => messageBatchObject(batch, context.now(), base)),
        );
      }),
    },
    {
      method: 'GET',
      path: '/messages/batches/:id',
      handle: guarded((request, batch) => {
        const firstLook = !batch!.retrieved;
        batch!.retrieved = true;
        if (firstLook && hits(context.options.batches.faults.notFoundOnFirstRetrieve, batch!.number))
          return anthropicErrorResponse(
            404,
            anthropicErrors.notFound(`No message batch with id ${batch!.id}.`),
          );
        return show(request, batch!);
      }),
    },
    {
      method: 'GET',
      path: '/messages/batches/:id/results',
      handle: guarded((_, batch) =>
        batch!.results
          ? new Response(batch!.results.jsonl, { headers: { 'content-type': 'application/binary' } })
          : invalid(
              `Message batch ${batch!.id} is still processing; its results are ready once it has ended.`,
            ),
      ),
    },
    {
      method: 'POST',
      path: '/messages/batches/:id/cancel',
      handle: guarded((request, batch) => {
        const { status } = batch!.settle(context.now());
        if (status === 'ended')
          return invalid(`Message batch ${batch!.id} has ended and cannot be canceled.`);
        batch!.cancelAt ??= context.now();
        return show(request, batch!);
      }),
    },
  ];
}
