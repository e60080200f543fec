/**
 * One input line to one request. A line is a JSON string (the prompt), `{"prompt": ...}`,
 * `{"messages": [...]}`, or a Batch API request line `{custom_id, method, url, body}` whose
 * `body` is a chat completions body (its `model` wins over the client's default). With a
 * template, the line's fields fill the prompt instead. Problems name the line and the field.
 */
import type { CallRequest, ChatMessage } from '../providers/types.js';
import { bodyRequest, FieldError, isRecord, messagesOf, optionalFields } from './request-fields.js';
import type { Template } from './template.js';

export interface BatchItem {
  /** 1-based line number in the input (blank lines count). */
  readonly line: number;
  readonly customId: string;
  readonly request: CallRequest;
}

export interface InputProblem {
  readonly line: number;
  /** The line's own `custom_id` when it could be read, else undefined. */
  readonly customId: string | undefined;
  /** The field at fault (`custom_id`, `messages[2].role`, `{{text}}`), when one is. */
  readonly field: string | undefined;
  readonly message: string;
}

export type ParsedLine = { readonly item: BatchItem } | { readonly problem: InputProblem };

export interface InputOptions {
  readonly template?: Template | undefined;
}

/** Parses one JSONL line; undefined for a blank line, which is skipped. */
export function parseLine(text: string, line: number, options: InputOptions = {}): ParsedLine | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return problem(line, undefined, undefined, `malformed JSON (${detail})`);
  }
  return parseValue(value, line, options);
}

/** Turns an already-parsed line (a string or an object) into an item or a problem. */
export function parseValue(value: unknown, line: number, options: InputOptions = {}): ParsedLine {
  let customId: string | undefined;
  try {
    customId = readCustomId(value);
    const request = options.template ? fromTemplate(value, options.template) : fromShape(value);
    return { item: { line, customId: customId ?? `line-${line}`, request } };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return problem(line, customId, error.field, error.message);
  }
}

function problem(line: number, customId: string | undefined, field: string | undefined, detail: string) {
  const where = field === undefined ? `line ${line}` : `line ${line}, field ${field}`;
  return { problem: { line, customId, field, message: `${where}: ${detail}` } };
}

function readCustomId(value: unknown): string | undefined {
  if (!isRecord(value) || value['custom_id'] === undefined) return undefined;
  const id = value['custom_id'];
  if (typeof id !== 'string' || id === '') throw new FieldError('custom_id', 'must be a non-empty string.');
  return id;
}

function fromShape(value: unknown): CallRequest {
  if (typeof value === 'string') {
    if (value === '') throw new FieldError(undefined, 'the prompt is an empty string.');
    return { prompt: value };
  }
  if (!isRecord(value)) {
    throw new FieldError(
      undefined,
      `expected a string or an object, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  }
  if (value['body'] !== undefined) return bodyRequest(value);
  const extra = optionalFields(value, '');
  if (value['messages'] !== undefined)
    return { ...extra, messages: messagesOf(value['messages'], 'messages') };
  if (value['prompt'] !== undefined) {
    const prompt = value['prompt'];
    if (typeof prompt !== 'string' || prompt === '')
      throw new FieldError('prompt', 'must be a non-empty string.');
    const system = value['system'];
    if (system === undefined) return { ...extra, prompt };
    if (typeof system !== 'string') throw new FieldError('system', 'must be a string.');
    const messages: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: prompt },
    ];
    return { ...extra, messages };
  }
  throw new FieldError(
    'prompt',
    'no prompt: expected a string, {"prompt": ...}, {"messages": [...]}, a Batch API line ' +
      '{"custom_id", "method", "url", "body"}, or --template with this line\'s fields.',
  );
}

function fromTemplate(value: unknown, template: Template): CallRequest {
  // A bare string line offers itself as {{text}}.
  const fields = typeof value === 'string' ? { text: value } : value;
  if (!isRecord(fields))
    throw new FieldError(undefined, 'with --template, each line must be an object of fields.');
  const filled = template.fill(fields);
  if (!filled.ok) {
    const known = Object.keys(fields).join(', ') || 'none';
    throw new FieldError(
      `{{${filled.field}}}`,
      `the template needs '${filled.field}', which this line lacks (fields: ${known}).`,
    );
  }
  // The fields are data here (a `temperature` column is not a sampling setting).
  return { prompt: filled.text };
}
