import { createRequire } from 'node:module';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from '../providers/types.js';

/**
 * The tokenizer's tables cost about 70 MB and a quarter of a second (more on a busy machine) to
 * load, so nothing loads them on import: a run against a server without token limits never counts.
 * The scheduler starts loading them in the background once a lane has a tokens budget
 * (`loadTokenizer`), and until they are in, estimates from the characters (`estimateMessageTokens`),
 * so the first request never waits for the tables.
 */
let countO200k: typeof O200k.countTokens | undefined;
let loading: Promise<void> | undefined;

function tokenizer(): typeof O200k.countTokens {
  countO200k ??= (createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as typeof O200k)
    .countTokens;
  return countO200k;
}

/** True once the tokenizer's tables are loaded: counts are then exact. */
export function tokenizerLoaded(): boolean {
  return countO200k !== undefined;
}

/** Loads the tokenizer without blocking the caller's turn of the event loop; once, however often called. */
export function loadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then(
    (module) => {
      countO200k ??= module.countTokens;
    },
    () => {
      loading = undefined; // a later count loads it synchronously and reports the failure there
    },
  );
  return loading;
}

/** Tokens OpenAI's chat format adds around each message and before the reply. */
const PER_MESSAGE_OVERHEAD = 3;
const REPLY_PRIMER = 3;
/**
 * Characters per token assumed before the tokenizer is loaded: English prose runs about 4, code and
 * other languages fewer, so 3 errs towards reserving too much (a 429 costs more than a short wait).
 */
const CHARS_PER_TOKEN = 3;

/** Token count of a text with the o200k tokenizer (GPT-4o and later; close enough for others). */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer()(text);
}

/** Prompt tokens of a chat request as the server counts them, give or take a few. */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  return framed(messages, countTextTokens);
}

/**
 * Prompt tokens, exact when the tokenizer is loaded, else estimated from the characters without
 * loading it; `exact` says which.
 */
export function estimateMessageTokens(messages: readonly ChatMessage[]): { tokens: number; exact: boolean } {
  if (countO200k !== undefined) return { tokens: framed(messages, countTextTokens), exact: true };
  return { tokens: framed(messages, (text) => Math.ceil(text.length / CHARS_PER_TOKEN)), exact: false };
}

function framed(messages: readonly ChatMessage[], count: (text: string) => number): number {
  let total = REPLY_PRIMER;
  for (const message of messages) {
    total += PER_MESSAGE_OVERHEAD + count(contentText(message.content));
    if (message.name) total += 1 + count(message.name);
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
