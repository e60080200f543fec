import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { jsonObjectAnswer, jsonSchemaAnswer } from './json-answer.js';
import { requestedCount } from './list-request.js';
import { pseudoPhrase, pseudoText } from './pseudo-words.js';
import { mulberry32, seedFrom } from './rng.js';

export interface AnswerInput {
  /** The simulator's seed. */
  readonly seed: number;
  /** Digest of model + messages: the same request gets the same answer. */
  readonly key: string;
  /** Text of the last user message, read for "N items" requests. */
  readonly lastUserText: string;
  /** The request's `response_format`, if any. */
  readonly responseFormat: unknown;
  /** Rough length of a free-text answer, in tokens. */
  readonly outputTokens: number;
  /** The free-text length is `outputTokens` times 1 ± up to this. */
  readonly outputTokensSpread?: number;
  /** The request's `max_tokens` / `max_completion_tokens`; the answer is cut there. */
  readonly maxTokens: number | undefined;
}

export interface Answer {
  readonly content: string;
  readonly completionTokens: number;
  /** `length` when `maxTokens` cut the answer short, as the real API reports it. */
  readonly finishReason: 'stop' | 'length';
}

/** The deterministic answer to a request: a numbered list, a JSON value, or a sentence or two. */
export function composeAnswer(input: AnswerInput): Answer {
  const random = mulberry32(seedFrom(input.seed, input.key));
  const count = requestedCount(input.lastUserText);
  const format = formatType(input.responseFormat);
  let content: string;
  if (format === 'json_object') content = jsonObjectAnswer(random, count);
  else if (format === 'json_schema')
    content = jsonSchemaAnswer(random, schemaOf(input.responseFormat), count);
  else if (count !== undefined) {
    content = Array.from({ length: count }, (_, i) => `${i + 1}. ${pseudoPhrase(random, 2, 6)}`).join('\n');
  } else {
    const spread = input.outputTokensSpread ?? 0;
    // Drawn only when asked for, so that answers without a spread stay as they were.
    const factor = spread > 0 ? 1 + spread * (2 * random() - 1) : 1;
    content = pseudoText(random, Math.max(1, Math.round(input.outputTokens * factor)));
  }
  return truncate(content, input.maxTokens);
}

function truncate(content: string, maxTokens: number | undefined): Answer {
  const tokens = encode(content);
  if (maxTokens === undefined || tokens.length <= maxTokens) {
    return { content, completionTokens: tokens.length, finishReason: 'stop' };
  }
  // Cut on a token boundary like a model that ran out of budget: even JSON comes back unfinished.
  return { content: decode(tokens.slice(0, maxTokens)), completionTokens: maxTokens, finishReason: 'length' };
}

function formatType(format: unknown): unknown {
  return typeof format === 'object' && format !== null ? (format as { type?: unknown }).type : undefined;
}

function schemaOf(format: unknown): unknown {
  const spec = (format as { json_schema?: { schema?: unknown } }).json_schema;
  return typeof spec === 'object' && spec !== null ? spec.schema : undefined;
}
