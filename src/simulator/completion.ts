import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { Answer } from './answers.js';

/** What every body and chunk of one completion shares. */
export interface CompletionMeta {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
}

export interface UsageBody {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export function usageBody(promptTokens: number, completionTokens: number): UsageBody {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** A `chat.completion` object, field for field as the API sends it. */
export function completionBody(meta: CompletionMeta, answer: Answer, usage: UsageBody): object {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: null },
        finish_reason: answer.finishReason,
        logprobs: null,
      },
    ],
    usage,
  };
}

/**
 * The `chat.completion.chunk` objects of a stream: the role, one chunk per token (the API's own
 * granularity), the finish reason, and the usage when asked for. With `include_usage` the API also
 * puts `usage: null` on every other chunk.
 */
export function completionChunks(
  meta: CompletionMeta,
  answer: Answer,
  usage: UsageBody | undefined,
): object[] {
  const chunk = (delta: object, finishReason: string | null) => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage: null } : {}),
  });
  const chunks: object[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const piece of tokenPieces(answer.content)) chunks.push(chunk({ content: piece }, null));
  chunks.push(chunk({}, answer.finishReason));
  if (usage) {
    chunks.push({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      choices: [],
      usage,
    });
  }
  return chunks;
}

/** The text of each token. Answers are ASCII, so no token splits a character. */
export function tokenPieces(text: string): string[] {
  return encode(text).map((token) => decode([token]));
}
