/**
 * Structured output: a zod schema becomes the request's JSON mode (a `json_schema` response format
 * by default), the answer is parsed and validated, and an answer that fails is sent back to the
 * model with the error so that it can correct itself.
 */
import { z } from 'zod';
import type { CallRequest, ChatMessage } from '../providers/types.js';
import { parseJsonBlock } from './parsers.js';
import type { SchemaOptions } from './types.js';

export type JsonMode = NonNullable<SchemaOptions<z.ZodType>['jsonMode']>;

/** The request that asks for JSON matching `schema`, in the way `mode` says. */
export function schemaRequest(
  request: CallRequest,
  schema: z.ZodType,
  mode: JsonMode,
  name: string,
): CallRequest {
  const jsonSchema = toJsonSchema(schema);
  if (mode === 'schema') {
    if (request.responseFormat) return request;
    return {
      ...request,
      responseFormat: {
        type: 'json_schema',
        json_schema: {
          name: name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer',
          schema: jsonSchema,
        },
      },
    };
  }
  const instruction = `Answer with JSON only, matching this JSON Schema:\n${JSON.stringify(jsonSchema)}`;
  const messages: ChatMessage[] = [...messagesOf(request), { role: 'user', content: instruction }];
  const asked = withMessages(request, messages);
  return mode === 'object' && !request.responseFormat
    ? { ...asked, responseFormat: { type: 'json_object' } }
    : asked;
}

/** A parser that reads the JSON in an answer and validates it, throwing the validation error. */
export function schemaParser<S extends z.ZodType>(schema: S): (text: string) => z.output<S> {
  return (text) => {
    const result = schema.safeParse(parseJsonBlock(text));
    if (!result.success)
      throw new Error(`The JSON does not match the schema:\n${z.prettifyError(result.error)}`);
    return result.data;
  };
}

/** The follow-up that shows the model its answer and what was wrong with it. */
export function repairRequest(request: CallRequest, answer: string, problem: string): CallRequest {
  return withMessages(request, [
    ...messagesOf(request),
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content: `Your answer could not be used: ${problem}\nReply again with the corrected answer only, in the format asked for.`,
    },
  ]);
}

export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  // What the model writes is the schema's input (before any transforms); anything JSON Schema
  // cannot express is left open rather than refused.
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function messagesOf(request: CallRequest): readonly ChatMessage[] {
  if (request.messages) return request.messages;
  return request.prompt === undefined ? [] : [{ role: 'user', content: request.prompt }];
}

function withMessages(request: CallRequest, messages: readonly ChatMessage[]): CallRequest {
  const { prompt: _, ...rest } = request;
  return { ...rest, messages };
}
