/** One call of a step through the shared client, recorded as a `call` span under the step's span. */
import type { CallResult } from '../client/types.js';
import type { CallRequest } from '../providers/types.js';
import { isAbort } from './errors.js';
import type { Scope } from './scope.js';
import type { Span } from './trace.js';
import type { LlmOptions } from './types.js';

/**
 * The priority one step deeper in a flow adds: a quarter of a level, which the scheduler's aging
 * equals to 500 ms of waiting. Deeper steps go first, so inputs under way finish before new ones
 * start, but only over calls that came at most that long before them. A whole level (2 s) let the
 * leaves of older inputs pass the last input's middle step at the end of a batch: 40 articles of 5
 * calls under 600 rpm, 400 ms a call (a test in `simulator.test.ts`), took 19.71 s against an
 * ideal of 19.40 s, the rate budget idle while the last sections' answers came back.
 */
const STEP_PRIORITY = 0.25;

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
      priority: scope.context.basePriority + scope.depth * STEP_PRIORITY + (options.priority ?? 0),
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
