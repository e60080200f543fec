import { countMessageTokens } from '../../tokens/count.js';
import { type Answer, composeAnswer } from '../answers.js';
import { lastUserText } from '../chat-request.js';
import { digest } from '../rng.js';
import type { MessageRequest } from './message-request.js';

/** A request's deterministic answer, its prompt tokens and its duplicate key. */
export interface MessageAnswer {
  readonly key: string;
  readonly inputTokens: number;
  readonly answer: Answer;
}

/** The same answer for the same model and turns, on the realtime endpoint and in a batch alike. */
export function answerMessage(request: MessageRequest, seed: number, outputTokens: number): MessageAnswer {
  const key = digest([request.model, request.messages]);
  const answer = composeAnswer({
    seed,
    key,
    lastUserText: lastUserText(request.messages),
    responseFormat: formatAskedFor(request.messages),
    outputTokens,
    maxTokens: request.maxTokens,
  });
  return { key, inputTokens: countMessageTokens(request.messages), answer };
}

/** A `message` object, field for field as the API sends it. */
export function messageBody(
  id: string,
  model: string,
  { answer, inputTokens }: MessageAnswer,
  tier: 'standard' | 'batch' = 'standard',
): object {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: answer.content, citations: null }],
    stop_reason: stopReason(answer),
    stop_sequence: null,
    usage: messageUsage(inputTokens, answer.completionTokens, tier),
  };
}

/** `max_tokens` when the answer was cut there, else `end_turn`. */
export function stopReason(answer: Answer): 'max_tokens' | 'end_turn' {
  return answer.finishReason === 'length' ? 'max_tokens' : 'end_turn';
}

export function messageUsage(inputTokens: number, outputTokens: number, tier = 'standard'): object {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: tier,
  };
}

/**
 * The Messages API has no JSON mode, so clients ask for JSON in the system prompt; a system prompt
 * that asks for "one valid JSON object" (or a value conforming to a JSON Schema given on its last
 * line) gets a JSON answer, as a model following the instruction would give.
 */
function formatAskedFor(messages: MessageRequest['messages']): unknown {
  const system = messages[0]?.role === 'system' ? messages[0].content : undefined;
  if (typeof system !== 'string') return undefined;
  if (/JSON Schema/.test(system)) {
    try {
      return {
        type: 'json_schema',
        json_schema: { schema: JSON.parse(system.slice(system.lastIndexOf('\n') + 1)) },
      };
    } catch {
      return { type: 'json_object' };
    }
  }
  return /valid JSON object/i.test(system) ? { type: 'json_object' } : undefined;
}
