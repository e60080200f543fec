import { authorized } from '../chat-request.js';
import { errorResponse, errors } from '../responses.js';
import type { Route } from './route-table.js';

/** An OpenAI route that needs `Authorization: Bearer <apiKey>` when the simulator has a key. */
export function bearerGuard(apiKey: string | undefined): (handle: Route['handle']) => Route['handle'] {
  return (handle) => (request, params) =>
    authorized(request, apiKey) ? handle(request, params) : errorResponse(401, errors.invalidApiKey());
}
