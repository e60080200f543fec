/**
 * `step.llm`: one call (plus repairs), answered from the journal when an earlier run recorded it.
 * With `schema` or `parse`, an answer that cannot be used is sent back with the error, up to
 * `maxRepairs` times, after which the step fails with `invalid_output`.
 */
import type { z } from 'zod';
import type { CallRequest } from '../providers/types.js';
import { tracedCall } from './call.js';
import { hashInput } from './durable.js';
import { FlowStepError, isAbort, misuse, stepError } from './errors.js';
import type { Scope } from './scope.js';
import { repairRequest, schemaParser, schemaRequest } from './structured.js';
import type { LlmOptions, SchemaOptions, StepRequest } from './types.js';

type AnyLlmOptions = LlmOptions & {
  readonly parse?: (text: string) => unknown;
  readonly schema?: z.ZodType;
  readonly maxRepairs?: number;
  readonly jsonMode?: SchemaOptions<z.ZodType>['jsonMode'];
};

export async function llmStep(
  scope: Scope,
  name: string,
  request: StepRequest,
  options: AnyLlmOptions,
): Promise<unknown> {
  const { context } = scope;
  const path = scope.claim(name);
  const { trace, journal, flow } = context;
  const span = trace.begin('llm', name, path, scope.span);
  const depth = scope.depth;
  try {
    if (options.schema && options.parse) throw misuse(flow, path, 'pass `schema` or `parse`, not both.');
    const parse = options.schema ? schemaParser(options.schema) : options.parse;
    const maxRepairs = parse ? (options.maxRepairs ?? 2) : 0;
    if (!Number.isInteger(maxRepairs) || maxRepairs < 0)
      throw misuse(flow, path, `\`maxRepairs\` must be a whole number of at least 0, got ${maxRepairs}.`);

    const base = toRequest(request, flow, path);
    const key = context.journalKey(path);
    const digest = hashInput(base);
    const recorded = journal?.lookup(key, digest)?.text;
    const replayed = recorded === undefined ? undefined : tryParse(parse, recorded);
    if (replayed?.ok) {
      trace.end(span, 'cached');
      scope.reached(depth + 1);
      return replayed.value;
    }

    let asked = options.schema
      ? schemaRequest(base, options.schema, options.jsonMode ?? 'schema', name)
      : base;
    for (let answers = 1; ; answers++) {
      const result = await tracedCall(scope, span, asked, options);
      const parsed = tryParse(parse, result.text);
      if (parsed.ok) {
        await journal?.record({ key, text: result.text, request: digest });
        trace.end(span, 'ok');
        scope.reached(depth + answers);
        return parsed.value;
      }
      if (answers > maxRepairs) {
        const tries = answers === 1 ? 'the answer' : `${answers} answers`;
        throw new FlowStepError(
          flow,
          path,
          'invalid_output',
          `${tries} could not be used: ${parsed.problem}`,
        );
      }
      asked = repairRequest(asked, result.text, parsed.problem);
    }
  } catch (error) {
    const failure = stepError(flow, path, error);
    trace.end(span, isAbort(error) ? 'cancelled' : 'error', failure);
    throw failure;
  }
}

export function toRequest(request: StepRequest, flow: string, path: string): CallRequest {
  if (typeof request === 'string') return { prompt: request };
  if (typeof request === 'object' && request !== null) return request;
  throw misuse(flow, path, `a request must be a prompt string or a request object, got ${typeof request}.`);
}

type Parsed =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string };

function tryParse(parse: ((text: string) => unknown) | undefined, text: string): Parsed {
  if (!parse) return { ok: true, value: text };
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
