import { errorResponse, errors, jsonResponse } from '../responses.js';
import type { BatchContext } from './context.js';
import { BATCH_ENDPOINT, readCreateParams } from './create-params.js';
import { bearerGuard } from './guard.js';
import { simId } from './ids.js';
import { checkInputFile } from './input-file.js';
import { listPage } from './list-page.js';
import { OpenAIBatch } from './openai-batch.js';
import { batchObject } from './openai-batch-json.js';
import { cancellable } from './openai-timeline.js';
import { readJson } from './read-json.js';
import type { Route } from './route-table.js';
import { enqueuedTokens } from './token-limit.js';

/** `POST /v1/batches`, `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel`, `GET /v1/batches`. */
export function batchesRoutes(context: BatchContext): Route[] {
  const guard = bearerGuard(context.options.apiKey);
  const batches = new Map<string, OpenAIBatch>();
  const enqueued = (model: string, at: number, self: OpenAIBatch) =>
    enqueuedTokens([...batches.values()], model, at, self);
  // Every request first brings all batches up to now, so ended ones have their files.
  const settled = (handle: Route['handle']): Route['handle'] =>
    guard((request, params) => {
      context.settle();
      return handle(request, params);
    });
  const found = (id: string, then: (batch: OpenAIBatch) => Response) => {
    const batch = batches.get(id);
    return batch
      ? then(batch)
      : errorResponse(404, {
          ...errors.notFound('GET', id),
          message: `No batch found with id '${id}'.`,
          param: 'id',
        });
  };
  const show = (batch: OpenAIBatch) => jsonResponse(200, batchObject(batch, context.now()));

  async function create(request: Request): Promise<Response> {
    const body = await readJson(request);
    if (!body) return errorResponse(400, errors.badRequest('The body must be a JSON object.', null));
    const params = readCreateParams(body, context.files);
    if (!('file' in params)) return errorResponse(400, params);
    const number = context.nextBatchNumber();
    const id = simId('batch_', number);
    const input = checkInputFile(params.file.content, BATCH_ENDPOINT);
    const init = {
      id,
      number,
      createdAt: context.now(),
      inputFileId: params.file.id,
      endpoint: BATCH_ENDPOINT,
      metadata: params.metadata,
      input,
    };
    const batch = new OpenAIBatch(init, context, enqueued);
    batches.set(id, batch);
    context.track(batch);
    context.stats.batches.count('batchesCreated');
    return show(batch);
  }

  return [
    { method: 'POST', path: '/batches', handle: settled(create) },
    { method: 'GET', path: '/batches/:id', handle: settled((_, { id }) => found(id!, show)) },
    {
      method: 'POST',
      path: '/batches/:id/cancel',
      handle: settled((_, { id }) =>
        found(id!, (batch) => {
          const { status } = batch.status(context.now());
          if (cancellable(status)) batch.cancelAt = context.now();
          else if (status === 'completed' || status === 'failed' || status === 'expired')
            return errorResponse(
              409,
              errors.badRequest(`Cannot cancel a batch with status '${status}'.`, null),
            );
          return show(batch);
        }),
      ),
    },
    {
      method: 'GET',
      path: '/batches',
      handle: settled((request) =>
        jsonResponse(200, {
          object: 'list',
          ...listPage(
            request,
            [...batches.values()].reverse(),
            (b) => batchObject(b, context.now()),
            (b) => b.init.id,
          ),
        }),
      ),
    },
  ];
}
