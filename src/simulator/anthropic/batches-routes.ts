import type { BatchContext } from '../batch/context.js';
import { listPage } from '../batch/list-page.js';
import { hits } from '../batch/options.js';
import type { Route } from '../batch/route-table.js';
import { authorizedAnthropic } from './auth.js';
import { anthropicErrorResponse, anthropicErrors } from './errors.js';
import { type BatchRequest, MessageBatch } from './message-batch.js';
import { batchesBase, messageBatchObject } from './message-batch-json.js';

const MAX_REQUESTS = 100_000;
const MAX_BYTES = 256 * 1024 * 1024;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

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
    const text = await request.text();
    if (Buffer.byteLength(text) > MAX_BYTES)
      return anthropicErrorResponse(413, anthropicErrors.tooLarge('A message batch may be at most 256 MB.'));
    let body: { requests?: unknown } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      return invalid('The request body is not valid JSON.');
    }
    const requests = body?.requests;
    if (!Array.isArray(requests) || requests.length === 0)
      return invalid('requests: Field required (a non-empty list)');
    if (requests.length > MAX_REQUESTS)
      return invalid(`requests: at most ${MAX_REQUESTS} requests per batch, got ${requests.length}`);
    const seen = new Set<string>();
    const checked: BatchRequest[] = [];
    for (const [index, entry] of requests.entries()) {
      const { custom_id: customId, params } = (entry ?? {}) as { custom_id?: unknown; params?: unknown };
      if (typeof customId !== 'string' || !CUSTOM_ID.test(customId))
        return invalid(`requests.${index}.custom_id: 1 to 64 letters, digits, '_' or '-'`);
      if (seen.has(customId))
        return invalid(`requests.${index}.custom_id: '${customId}' is used more than once`);
      seen.add(customId);
      if (typeof params !== 'object' || params === null)
        return invalid(`requests.${index}.params: Field required`);
      checked.push({ customId, params });
    }
    const number = context.nextBatchNumber();
    const id = `msgbatch_sim${number.toString(16).padStart(16, '0')}`;
    const batch = new MessageBatch(id, number, context.now(), checked, context);
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
