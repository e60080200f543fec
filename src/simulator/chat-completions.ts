import { countMessageTokens } from '../tokens/count.js';
import { composeAnswer } from './answers.js';
import { authorized, lastUserText, parseChatRequest } from './chat-request.js';
import type { SetTimer } from './delay.js';
import { deliver } from './deliver.js';
import { formatDuration, retryAfterMs, retryAfterSeconds } from './durations.js';
import { countedInFlight } from './in-flight.js';
import type { ResolvedSimulatorOptions } from './options.js';
import type { RateLimiter } from './rate-limiter.js';
import { errorResponse, errors } from './responses.js';
import { digest, type Random } from './rng.js';
import type { StatsRecorder } from './stats.js';

/** What the chat endpoint shares with the rest of one simulator. */
export interface ChatEndpointContext {
  readonly options: ResolvedSimulatorOptions;
  readonly limiter: RateLimiter;
  readonly stats: StatsRecorder;
  /** The simulator's one seeded stream: fault and latency draws, in arrival order. */
  readonly random: Random;
  readonly setTimer: SetTimer;
  /** 1, 2, 3, ...: request ids and completion ids. */
  readonly nextSerial: () => number;
}

/** `POST /v1/chat/completions`: the checks, most fundamental first, then the answer or a fault. */
export function chatEndpoint(context: ChatEndpointContext): (request: Request) => Promise<Response> {
  return countedInFlight(context.stats, (request, takeRelease) => respond(request, context, takeRelease));
}

async function respond(request: Request, context: ChatEndpointContext, takeRelease: () => () => void) {
  const { options, stats, limiter } = context;
  const serial = context.nextSerial();
  const requestId = `req_${serial.toString(16).padStart(24, '0')}`;
  const idHeader = { 'x-request-id': requestId };

  const parsed = parseChatRequest(await request.text());
  if (!parsed.ok) {
    stats.count('badRequests');
    return errorResponse(400, errors.badRequest(parsed.message, parsed.param), idHeader);
  }
  if (!authorized(request, options.apiKey)) {
    stats.count('unauthorized');
    return errorResponse(401, errors.invalidApiKey(), idHeader);
  }
  const chat = parsed.request;
  if (options.models.length > 0 && !options.models.includes(chat.model)) {
    stats.count('modelNotFound');
    return errorResponse(404, errors.modelNotFound(chat.model), idHeader);
  }
  if (options.quotaExhausted) {
    // No retry-after: waiting does not fix an empty account, and clients should not try.
    stats.count('quotaExhausted');
    return errorResponse(429, errors.insufficientQuota(), idHeader);
  }
  const promptTokens = countMessageTokens(chat.messages);
  if (promptTokens + (chat.maxTokens ?? 0) > options.contextWindow) {
    stats.count('contextLengthExceeded');
    const error = errors.contextLengthExceeded(options.contextWindow, promptTokens, chat.maxTokens ?? 0);
    return errorResponse(400, error, idHeader);
  }

  const key = digest([chat.model, chat.messages]);
  const answer = composeAnswer({
    seed: options.seed,
    key,
    lastUserText: lastUserText(chat.messages),
    responseFormat: chat.responseFormat,
    outputTokens: options.outputTokens,
    outputTokensSpread: options.outputTokensSpread,
    maxTokens: chat.maxTokens,
  });
  // What the provider reserves: the whole max_tokens when given, else what will be written.
  const cost = promptTokens + (chat.maxTokens ?? answer.completionTokens);
  const admission = limiter.tryAdmit(cost);
  if (!admission.admitted && 'tooLarge' in admission) {
    // No wait will help, and the server says so: no retry-after, and x-should-retry: false.
    stats.count('requestTooLarge');
    return errorResponse(429, errors.requestTooLarge(chat.model, admission.capacity, cost), {
      ...limiter.headers(),
      ...idHeader,
      'x-should-retry': 'false',
    });
  }
  if (!admission.admitted) {
    stats.rateLimited(admission.limit);
    const perMinute = (admission.limit === 'requests' ? options.rpm : options.tpm)!;
    const wait = errors.rateLimited(chat.model, admission.limit, perMinute, formatDuration(admission.waitMs));
    const advice: Record<string, string> = options.retryAfter
      ? {
          'retry-after': String(retryAfterSeconds(admission.waitMs)),
          'retry-after-ms': String(retryAfterMs(admission.waitMs)),
        }
      : {};
    return errorResponse(429, wait, { ...limiter.headers(), ...idHeader, ...advice });
  }

  return deliver({
    context,
    signal: request.signal,
    chat,
    answer,
    key,
    promptTokens,
    meta: {
      id: `chatcmpl-sim${serial.toString(16).padStart(12, '0')}`,
      created: Math.floor(Date.now() / 1000),
      model: chat.model,
    },
    headers: { ...limiter.headers(), ...idHeader },
    takeRelease,
  });
}
