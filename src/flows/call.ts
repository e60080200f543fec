/** One call of a step through the shared client, recorded as a `call` span under the step's span. */
import type { CallResult } from '../client/types.js';
import type { CallRequest } from '../providers/types.js';
import { isAbort } from './errors.js';
import type { Scope } from './scope.js';
import type { Span } from './trace.js';
import type { LlmOptions } from './types.js';

export interface CallHooks {
  /** Streams the answer's text deltas; a new `attempt` number means the text starts over. */
  readonly onDelta?: (text: string, attempt: number) => void;
}

export async function tracedCall(
  scope: Scope,
  step: Span,
  request: CallRequest,
  options: LlmOptions,
  hooks: CallHooks = {},
): Promise<CallResult> {
  const { trace, volley } = scope.context;
  const span = trace.begin('call', step.name, step.path, step);
  if (scope.streamedFrom) span.streamedFrom = scope.streamedFrom;
  const id = scope.context.callId(step.path);
  try {
    const result = await volley.complete(request, {
      id,
      signal: scope.signal,
      priority: scope.context.basePriority + scope.depth + (options.priority ?? 0),
      timeout: options.timeout,
      deadline: options.deadline,
      onDelta: hooks.onDelta,
    });
    span.queuedMs = result.timings.queuedMs;
    span.attempts = result.timings.attempts;
    span.model = result.model;
    if (result.cached) span.fromCache = true;
    else if (result.usage)
      span.tokens = { prompt: result.usage.promptTokens, completion: result.usage.completionTokens };
    trace.end(span, 'ok');
    return result;
  } catch (error) {
    const attempts = (error as { attempts?: unknown }).attempts;
    if (typeof attempts === 'number') span.attempts = attempts;
    trace.end(span, isAbort(error) ? 'cancelled' : 'error', error);
    throw error;
  }
}
