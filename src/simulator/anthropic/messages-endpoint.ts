import { simId } from '../batch/ids.js';
import type { ChatEndpointContext } from '../chat-completions.js';
import { retryAfterSeconds } from '../durations.js';
import { countedInFlight } from '../in-flight.js';
import { authorizedAnthropic } from './auth.js';
import { deliverMessage } from './deliver-message.js';
import { anthropicErrorResponse, anthropicErrors } from './errors.js';
import { answerMessage } from './message.js';
import { parseMessageRequest } from './message-request.js';
import { anthropicRateHeaders } from './rate-headers.js';

/** The chat endpoint's context, with the Unix time Anthropic's reset headers are written in. */
export interface MessagesContext extends ChatEndpointContext {
  readonly unixMs: (clockMs: number) => number;
}

/** `POST /v1/messages`: Anthropic's checks and errors, its rate-limit headers, then the answer or a fault. */
export function messagesEndpoint(context: MessagesContext): (request: Request) => Promise<Response> {
  return countedInFlight(context.stats, (request, takeRelease) => respond(request, context, takeRelease));
}

async function respond(request: Request, context: MessagesContext, takeRelease: () => () => void) {
  const { options, stats, limiter } = context;
  const serial = context.nextSerial();
  const idHeader = { 'request-id': simId('req_', serial) };
  const fail = (status: number, fields: Parameters<typeof anthropicErrorResponse>[1], extra = {}) =>
    anthropicErrorResponse(status, fields, { ...extra, ...idHeader });

  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    body = undefined;
  }
  const parsed = parseMessageRequest(body);
  if (!parsed.ok) {
    stats.count('badRequests');
    return fail(
      400,
      anthropicErrors.invalidRequest(
        body === undefined ? 'The request body is not valid JSON.' : parsed.message,
      ),
    );
  }
  if (!authorizedAnthropic(request, options.apiKey)) {
    stats.count('unauthorized');
    return fail(401, anthropicErrors.authentication());
  }
  const message = parsed.request;
  if (options.anthropicModels.length > 0 && !options.anthropicModels.includes(message.model)) {
    stats.count('modelNotFound');
    return fail(404, anthropicErrors.notFound(`model: ${message.model}`));
  }
  if (options.quotaExhausted) {
    stats.count('quotaExhausted');
    return fail(400, anthropicErrors.lowCredit());
  }
  const answer = answerMessage(message, options.seed, options.outputTokens);
  if (answer.inputTokens + message.maxTokens > options.contextWindow) {
    stats.count('contextLengthExceeded');
    return fail(
      400,
      anthropicErrors.contextTooLong(answer.inputTokens, message.maxTokens, options.contextWindow),
    );
  }
  const admission = limiter.tryAdmit(answer.inputTokens + message.maxTokens);
  const rateHeaders = () => anthropicRateHeaders(limiter.limits(), context.unixMs(options.clock.now()));
  if (!admission.admitted && 'tooLarge' in admission) {
    // Larger than the token bucket holds: refused for good, and said so.
    stats.count('requestTooLarge');
    return fail(429, anthropicErrors.rateLimited('tokens', options.tpm!), {
      ...rateHeaders(),
      'x-should-retry': 'false',
    });
  }
  if (!admission.admitted) {
    stats.rateLimited(admission.limit);
    const perMinute = (admission.limit === 'requests' ? options.rpm : options.tpm)!;
    const retryAfter = String(retryAfterSeconds(admission.waitMs));
    return fail(429, anthropicErrors.rateLimited(admission.limit, perMinute), {
      ...rateHeaders(),
      'retry-after': retryAfter,
    });
  }
  const id = simId('msg_', serial);
  const headers = { ...rateHeaders(), ...idHeader };
  return deliverMessage({ context, signal: request.signal, message, answer, id, headers, takeRelease });
}
