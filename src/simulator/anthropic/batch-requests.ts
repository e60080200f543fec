import { type AnthropicErrorFields, anthropicErrors } from './errors.js';
import type { BatchRequest } from './message-batch.js';

export const MAX_REQUESTS = 100_000;
const MAX_BYTES = 256 * 1024 * 1024;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Checks a `POST /v1/messages/batches` body at create, as the API does: at most 256 MB and 100,000
 * requests, each with a unique `custom_id` and a `params` object. What is wrong inside `params` is
 * found when the request runs, and comes back as an `errored` result.
 */
export function readBatchRequests(
  text: string,
): BatchRequest[] | { status: number; error: AnthropicErrorFields } {
  const invalid = (message: string) => ({ status: 400, error: anthropicErrors.invalidRequest(message) });
  if (Buffer.byteLength(text) > MAX_BYTES)
    return { status: 413, error: anthropicErrors.tooLarge('A message batch may be at most 256 MB.') };
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
  return checked;
}
