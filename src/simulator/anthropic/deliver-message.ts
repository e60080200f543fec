import { delay } from '../delay.js';
import { ConnectionResetError, pickFault } from '../faults.js';
import { lognormal } from '../rng.js';
import { SSE_HEADERS, sseStream } from '../sse.js';
import { anthropicErrorResponse, anthropicErrors } from './errors.js';
import type { MessageAnswer } from './message.js';
import { messageBody } from './message.js';
import type { MessageRequest } from './message-request.js';
import type { MessagesContext } from './messages-endpoint.js';
import { messageEvents } from './stream-events.js';

export interface MessageDelivery {
  readonly context: MessagesContext;
  readonly signal: AbortSignal;
  readonly message: MessageRequest;
  readonly answer: MessageAnswer;
  readonly id: string;
  /** Rate-limit headers and the request id. */
  readonly headers: Record<string, string>;
  readonly takeRelease: () => () => void;
}

/**
 * Draws the fault and the latency from the simulator's one seeded stream, as the chat endpoint
 * does, then answers: a 500 `api_error`, a 529 `overloaded_error`, a reset, a hang, a cut body, or
 * the message (streamed as named events when asked).
 */
export async function deliverMessage(delivery: MessageDelivery): Promise<Response> {
  const { context, signal, message, answer, headers } = delivery;
  const { options, random, setTimer, stats } = context;
  const fault = pickFault(random, options.faults);
  const firstMs = lognormal(random, options.latencyMedianMs, options.latencySpread);
  const tokenMs = options.msPerOutputToken;
  const tokens = answer.answer.completionTokens;
  if (fault) stats.fault(fault);
  switch (fault) {
    case 'hang':
      await delay(setTimer, options.hangMs, signal, true);
      throw new ConnectionResetError('The simulated server dropped a hung connection.');
    case 'reset':
      await delay(setTimer, firstMs, signal);
      throw new ConnectionResetError();
    case 'serverError':
      await delay(setTimer, firstMs, signal);
      return anthropicErrorResponse(500, anthropicErrors.apiError(), headers);
    case 'unavailable':
      await delay(setTimer, firstMs, signal);
      return anthropicErrorResponse(529, anthropicErrors.overloaded(), headers);
  }
  const json = { 'content-type': 'application/json', ...headers };
  if (!message.stream) {
    await delay(setTimer, firstMs + tokenMs * tokens, signal);
    const body = JSON.stringify(messageBody(delivery.id, message.model, answer));
    if (fault === 'malformed')
      return new Response(body.slice(0, Math.floor(body.length / 2)), { headers: json });
    stats.success(answer.key, answer.inputTokens, tokens);
    return new Response(body, { headers: json });
  }
  await delay(setTimer, firstMs, signal);
  let events = messageEvents(delivery.id, message.model, answer, tokenMs);
  if (fault === 'malformed') {
    const broken = events[1]!;
    events = [events[0]!, { ...broken, data: broken.data.slice(0, Math.floor(broken.data.length / 2)) }];
  } else stats.success(answer.key, answer.inputTokens, tokens);
  const release = delivery.takeRelease();
  const body = sseStream(events, {
    setTimer,
    signal,
    onEnd: (outcome) => {
      if (outcome === 'cancelled') stats.count('aborted');
      release();
    },
  });
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
