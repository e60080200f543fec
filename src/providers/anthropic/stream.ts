/**
 * Rebuilds a `Message` from the events of a streamed one, so that a streamed answer is read
 * (`readMessage`) and recorded exactly like a whole one: text, thinking and tool-use blocks, the
 * stop reason, and the usage from `message_start` updated by `message_delta`.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { isRecord } from '../shared.js';

export class MessageReader {
  #message: Anthropic.Message | undefined;
  /** Partial JSON of each tool-use block's input, by block index. */
  readonly #json = new Map<number, string>();
  /** Whether the server said why the answer stopped; a stream cut before that is not an answer. */
  finished = false;

  /** Applies one event; returns the text it adds, if any. */
  add(event: Anthropic.RawMessageStreamEvent): string | undefined {
    if (!isRecord(event)) return undefined;
    if (event.type === 'message_start')
      this.#message = { ...event.message, content: [], usage: { ...event.message.usage } };
    const message = this.#message;
    if (message === undefined) return undefined;
    if (event.type === 'content_block_start') message.content[event.index] = { ...event.content_block };
    if (event.type === 'content_block_delta') return this.#delta(message.content[event.index], event);
    if (event.type === 'content_block_stop') this.#finishBlock(message.content[event.index], event.index);
    if (event.type !== 'message_delta') return undefined;
    if (typeof event.delta?.stop_reason === 'string') {
      message.stop_reason = event.delta.stop_reason;
      this.finished = true;
    }
    if (event.delta?.stop_sequence !== undefined) message.stop_sequence = event.delta.stop_sequence;
    // The delta's counts are cumulative; what it leaves out or nulls keeps its start value.
    const counted = Object.entries(event.usage ?? {}).filter(([, value]) => value != null);
    message.usage = { ...message.usage, ...Object.fromEntries(counted) };
    return undefined;
  }

  #delta(block: Anthropic.ContentBlock | undefined, { delta, index }: Anthropic.RawContentBlockDeltaEvent) {
    const text = delta?.type === 'text_delta' && typeof delta.text === 'string' ? delta.text : '';
    if (block?.type === 'text') block.text += text;
    if (delta?.type === 'input_json_delta')
      this.#json.set(index, (this.#json.get(index) ?? '') + delta.partial_json);
    if (block?.type === 'thinking' && delta?.type === 'thinking_delta') block.thinking += delta.thinking;
    if (block?.type === 'thinking' && delta?.type === 'signature_delta') block.signature += delta.signature;
    if (block?.type === 'text' && delta?.type === 'citations_delta')
      block.citations = [...(block.citations ?? []), delta.citation];
    return text || undefined;
  }

  #finishBlock(block: Anthropic.ContentBlock | undefined, index: number): void {
    const json = this.#json.get(index);
    if (json === undefined || block === undefined || !('input' in block)) return;
    try {
      block.input = json === '' ? {} : JSON.parse(json);
    } catch {
      // Kept as the text the server sent, so the caller can see what went wrong.
      block.input = json;
    }
  }

  /** The message the events add up to, as the non-streaming API would have sent it. */
  message(): Anthropic.Message | undefined {
    const message = this.#message;
    return message && { ...message, content: message.content.filter((block) => block !== undefined) };
  }
}
