/**
 * Errors of a flow run: every failure is a `VolleyError` whose message names the flow and the step
 * (its path, e.g. `sections[1]/expand`) so that a failing run says where it failed.
 */
import { AbortError, VolleyError, type VolleyErrorCode } from '../errors.js';
import type { Trace } from './trace.js';

export class FlowStepError extends VolleyError {
  override readonly name: string = 'FlowStepError';
  /** The flow's name. */
  readonly flow: string;
  /** Where in the flow it failed: a step path such as `sections[1]/expand`, or `''` for the flow itself. */
  readonly step: string;
  /** The run's trace up to the failure, attached once the run has ended. */
  trace: Trace | undefined;

  constructor(flow: string, step: string, code: VolleyErrorCode, detail: string, cause?: unknown) {
    const where = step === '' ? `flow "${flow}"` : `flow "${flow}", step "${step}"`;
    const origin = isVolleyErrorLike(cause) ? cause : undefined;
    super(code, `${where}: ${detail}`, {
      cause,
      status: origin?.status,
      requestID: origin?.requestID,
      attempts: origin?.attempts ?? 0,
    });
    this.flow = flow;
    this.step = step;
  }
}

/**
 * A `VolleyError`, also one from another copy of this package (a flow module loaded by the CLI
 * through tsx gets its own copy, so `instanceof` alone is not enough).
 */
export function isVolleyErrorLike(value: unknown): value is VolleyError {
  if (value instanceof VolleyError) return true;
  if (!(value instanceof Error)) return false;
  const fields = value as unknown as Record<string, unknown>;
  return typeof fields['code'] === 'string' && typeof fields['attempts'] === 'number';
}

/**
 * The error of a step: already attributed errors pass through (they name the deeper step that
 * failed), anything else is attributed to `step`.
 */
export function stepError(flow: string, step: string, error: unknown): FlowStepError {
  if (error instanceof FlowStepError) return error;
  if (isVolleyErrorLike(error)) return new FlowStepError(flow, step, error.code, error.message, error);
  const detail = error instanceof Error ? error.message : String(error);
  return new FlowStepError(flow, step, 'unexpected', detail, error);
}

export function misuse(flow: string, step: string, detail: string): FlowStepError {
  return new FlowStepError(flow, step, 'invalid_request', detail);
}

export function cancelled(flow: string, step: string): FlowStepError {
  return new FlowStepError(flow, step, 'aborted', 'cancelled before it finished.', new AbortError());
}

export function isAbort(error: unknown): boolean {
  return isVolleyErrorLike(error) && error.code === 'aborted';
}
