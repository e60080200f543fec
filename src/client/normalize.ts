/** From the request a user writes to the one a provider sends, rejecting what can never succeed. */
import { VolleyError } from '../errors.js';
import type { CallRequest, ChatMessage, ProviderRequest } from '../providers/types.js';

export function normalizeRequest(request: CallRequest, defaultModel: string | undefined): ProviderRequest {
  if (typeof request !== 'object' || request === null) {
    throw invalid('A request must be an object with `prompt` or `messages`.');
  }
  const messages = toMessages(request);
  const model = request.model ?? defaultModel;
  if (!model) throw invalid('No model: pass `model` on the request or a default `model` to the client.');
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    throw invalid(`\`maxTokens\` must be a whole number above 0, got ${String(request.maxTokens)}.`);
  }
  return {
    model,
    messages,
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    responseFormat: request.responseFormat,
    params: request.params ?? {},
  };
}

function toMessages(request: CallRequest): readonly ChatMessage[] {
  if (request.messages !== undefined) {
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      throw invalid('`messages` must be a non-empty array of { role, content }.');
    }
    request.messages.forEach((message, i) => {
      if (!message || typeof message.role !== 'string' || message.content === undefined) {
        throw invalid(`messages[${i}] needs a \`role\` and a \`content\`.`);
      }
    });
    return request.messages;
  }
  if (typeof request.prompt === 'string' && request.prompt.length > 0) {
    return [{ role: 'user', content: request.prompt }];
  }
  throw invalid('The request has no `prompt` and no `messages`: there is nothing to send.');
}

function invalid(message: string): VolleyError {
  return new VolleyError('invalid_request', message);
}
