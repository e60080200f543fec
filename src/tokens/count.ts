import { createRequire } from 'node:module';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from '../providers/types.js';

/**
 * The tokenizer's tables cost about 65 MB and a quarter of a second to load, so they are loaded on
 * the first count, not on import: a run against a server without token limits never counts.
 */
let countO200k: typeof O200k.countTokens | undefined;
function tokenizer(): typeof O200k.countTokens {
  countO200k ??= (createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as typeof O200k)
    .countTokens;
  return countO200k;
}

/** Tokens OpenAI's chat format adds around each message and before the reply. */
const PER_MESSAGE_OVERHEAD = 3;
const REPLY_PRIMER = 3;

/** Token count of a text with the o200k tokenizer (GPT-4o and later; close enough for others). */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer()(text);
}

/** Prompt tokens of a chat request as the server counts them, give or take a few. */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = REPLY_PRIMER;
  for (const message of messages) {
    total += PER_MESSAGE_OVERHEAD + countTextTokens(contentText(message.content));
    if (message.name) total += 1 + countTextTokens(message.name);
  }
  return total;
}

function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  // Content parts: count the text ones; images and files are priced by the provider in ways a
  // tokenizer cannot see, so they are left to the reconciliation with reported usage.
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string')
      text += part.text;
  }
  return text;
}
