import { tokenPieces } from '../completion.js';
import type { SseEvent } from '../sse.js';
import type { MessageAnswer } from './message.js';
import { messageUsage, stopReason } from './message.js';

/**
 * A streamed message as the Messages API sends it, one named event each: `message_start`,
 * `content_block_start`, a `ping`, one `content_block_delta` per token (every `tokenMs`),
 * `content_block_stop`, `message_delta` with the stop reason and the output tokens, `message_stop`.
 */
export function messageEvents(
  id: string,
  model: string,
  { answer, inputTokens }: MessageAnswer,
  tokenMs: number,
): SseEvent[] {
  const event = (type: string, fields: object, delayMs = 0): SseEvent => ({
    event: type,
    delayMs,
    data: JSON.stringify({ type, ...fields }),
  });
  const start = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: messageUsage(inputTokens, 1),
  };
  return [
    event('message_start', { message: start }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '', citations: null } }),
    event('ping', {}),
    ...tokenPieces(answer.content).map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }, tokenMs),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: stopReason(answer), stop_sequence: null },
      usage: { output_tokens: answer.completionTokens },
    }),
    event('message_stop', {}),
  ];
}
