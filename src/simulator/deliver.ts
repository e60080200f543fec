import type { Answer } from './answers.js';
import type { ChatEndpointContext } from './chat-completions.js';
import type { ChatRequest } from './chat-request.js';
import { type CompletionMeta, completionBody, completionChunks, usageBody } from './completion.js';
import { delay } from './delay.js';
import { ConnectionResetError, pickFault } from './faults.js';
import { errorResponse, errors } from './responses.js';
import { lognormal } from './rng.js';
import { SSE_HEADERS, type SseEvent, sseStream } from './sse.js';

/** An admitted request, ready to be answered. */
export interface Delivery {
  readonly context: ChatEndpointContext;
  readonly signal: AbortSignal;
  readonly chat: ChatRequest;
  readonly answer: Answer;
  /** Digest of model + messages, for the duplicate count. */
  readonly key: string;
  readonly promptTokens: number;
  readonly meta: CompletionMeta;
  /** Rate-limit headers and the request id. */
  readonly headers: Record<string, string>;
  /** Hands the end of the in-flight count over to a stream that outlives the handler. */
  readonly takeRelease: () => () => void;
}

/**
 * Decides the fault (if any) and the latency, waits, and answers. The draws come from the simulator's
 * one seeded stream in arrival order, so the same seed and the same traffic replay the same run.
 */
export async function deliver(delivery: Delivery): Promise<Response> {
  const { context, signal, chat, answer, meta, headers } = delivery;
  const { options, random, setTimer, stats } = context;
  const fault = pickFault(random, options.faults);
  const firstMs = lognormal(random, options.latencyMedianMs, options.latencySpread);
  const tokenMs = options.msPerOutputToken;
  if (fault) stats.fault(fault);

  switch (fault) {
    case 'hang':
      // A background timer: a forgotten hung request must not keep the process alive for hangMs.
      await delay(setTimer, options.hangMs, signal, true);
      throw new ConnectionResetError('The simulated server dropped a hung connection.');
    case 'reset':
      await delay(setTimer, firstMs, signal);
      throw new ConnectionResetError();
    case 'serverError':
      await delay(setTimer, firstMs, signal);
      return errorResponse(500, errors.serverError(), headers);
    case 'unavailable':
      await delay(setTimer, firstMs, signal);
      return errorResponse(503, errors.unavailable(), headers);
  }

  const usage = usageBody(delivery.promptTokens, answer.completionTokens);
  if (!chat.stream) {
    await delay(setTimer, firstMs + tokenMs * answer.completionTokens, signal);
    const body = JSON.stringify(completionBody(meta, answer, usage));
    if (fault === 'malformed') {
      // Cut mid-object: the status and content type promise JSON the body does not deliver.
      const cut = body.slice(0, Math.floor(body.length / 2));
      return new Response(cut, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
    }
    stats.success(delivery.key, delivery.promptTokens, answer.completionTokens);
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
  }

  await delay(setTimer, firstMs, signal);
  const chunks = completionChunks(meta, answer, chat.includeUsage ? usage : undefined);
  const lastTokenChunk = chunks.length - (chat.includeUsage ? 3 : 2);
  // The role chunk goes at once (it is the "first byte"), then one token every msPerOutputToken.
  let events: SseEvent[] = chunks.map((chunk, index) => ({
    delayMs: index >= 1 && index <= lastTokenChunk ? tokenMs : 0,
    data: JSON.stringify(chunk),
  }));
  events.push({ delayMs: 0, data: '[DONE]' });
  if (fault === 'malformed') {
    const broken = events[1]!.data;
    events = [events[0]!, { delayMs: tokenMs, data: broken.slice(0, Math.floor(broken.length / 2)) }];
  } else {
    stats.success(delivery.key, delivery.promptTokens, answer.completionTokens);
  }
  const release = delivery.takeRelease();
  const body = sseStream(events, {
    setTimer,
    signal,
    onEnd: (outcome) => {
      if (outcome === 'cancelled') stats.count('aborted');
      release();
    },
  });
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
}
