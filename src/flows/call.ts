/** One call of a step through the shared client, recorded as a `call` span under the step's span. */
import type { CallResult } from '../client/types.js';
import type { CallRequest } from '../providers/types.js';
import { PRIORITY_AGING_MS } from '../scheduler/job.js';
import { isAbort } from './errors.js';
import type { Scope } from './scope.js';
import type { Span } from './trace.js';
import type { LlmOptions } from './types.js';

/**
 * How long a call one step deeper in a flow counts as having waited already. Deeper steps go
 * first, so inputs under way finish before new ones start, but only over calls that came at most
 * this long before them. A whole priority level (2 s) let the leaves of older inputs pass the last
 * input's middle step at the end of a batch: 40 articles of 5 calls under 600 rpm, 400 ms a call
 * (a test in `simulator.test.ts`), took 19.71 s against an ideal of 19.40 s, the rate budget idle
 * while the last sections' answers came back.
 */
const STEP_HEAD_START_MS = 500;
/** The same in priority levels, by the scheduler's aging: a quarter level. */
const STEP_PRIORITY = STEP_HEAD_START_MS / PRIORITY_AGING_MS;

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
