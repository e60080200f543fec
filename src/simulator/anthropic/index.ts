/** Anthropic's Messages API and Message Batches on the simulator, written by their own code. */
import type { BatchContext } from '../batch/context.js';
import type { Route } from '../batch/route-table.js';
import type { ChatEndpointContext } from '../chat-completions.js';
import { RateLimiter } from '../rate-limiter.js';
import { messageBatchesRoutes } from './batches-routes.js';
import { messagesEndpoint } from './messages-endpoint.js';

/**
 * `POST /v1/messages` and `/v1/messages/batches`. The realtime endpoint shares the chat endpoint's
 * seeded stream, request ids and counters, with a rate limiter of its own: Anthropic is another
 * server, with the same configured limits.
 */
export function anthropicRoutes(batches: BatchContext, realtime: ChatEndpointContext): Route[] {
  const messages = messagesEndpoint({
    ...realtime,
    limiter: new RateLimiter(realtime.options),
    unixMs: batches.unixMs,
  });
  return [{ method: 'POST', path: '/messages', handle: messages }, ...messageBatchesRoutes(batches)];
}
