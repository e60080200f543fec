/**
 * Rebuilds a chat completion from the chunks of a streamed one, so that a streamed answer is read
 * (`readCompletion`) and recorded exactly like a whole one: the first choice's text, refusal, tool
 * calls and finish reason, the model, and the usage the last chunk reports.
 */
import type OpenAI from 'openai';
import { isRecord } from '../shared.js';

type ToolCall = OpenAI.ChatCompletionMessageFunctionToolCall;

export class CompletionReader {
  #completion: OpenAI.ChatCompletion;
  #choice: OpenAI.ChatCompletion.Choice;
  readonly #tools: ToolCall[] = [];
  /** Whether the server said how the answer ended; a stream cut before that is not an answer. */
  finished = false;

  constructor(model: string) {
    const message: OpenAI.ChatCompletionMessage = { role: 'assistant', content: '', refusal: null };
    this.#choice = { index: 0, message, finish_reason: 'stop', logprobs: null };
    this.#completion = { id: '', object: 'chat.completion', created: 0, model, choices: [this.#choice] };
  }

  /** Applies one chunk; returns the text it adds to the first choice, if any. */
  add(chunk: OpenAI.ChatCompletionChunk): string | undefined {
    if (!isRecord(chunk)) return undefined;
    const completion = this.#completion;
    if (typeof chunk.model === 'string' && chunk.model !== '') completion.model = chunk.model;
    if (completion.id === '' && typeof chunk.id === 'string') completion.id = chunk.id;
    if (completion.created === 0 && typeof chunk.created === 'number') completion.created = chunk.created;
    if (isRecord(chunk.usage)) completion.usage = chunk.usage;
    let added: string | undefined;
    // Only the first choice is read; `n > 1` streams interleave the others.
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isRecord(choice) || (choice.index ?? 0) !== 0) continue;
      const { content, refusal, tool_calls } = choice.delta ?? {};
      const message = this.#choice.message;
      if (typeof content === 'string' && content !== '') {
        message.content += content;
        added = (added ?? '') + content;
      }
      if (typeof refusal === 'string') message.refusal = (message.refusal ?? '') + refusal;
      for (const delta of tool_calls ?? []) this.#tool(delta);
      if (typeof choice.finish_reason === 'string') {
        this.#choice.finish_reason = choice.finish_reason;
        this.finished = true;
      }
    }
    return added;
  }

  #tool(delta: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall): void {
    this.#tools[delta.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
    const call = this.#tools[delta.index]!;
    if (delta.id) call.id = delta.id;
    call.function.name += delta.function?.name ?? '';
    call.function.arguments += delta.function?.arguments ?? '';
    this.#choice.message.tool_calls = this.#tools.filter((tool) => tool !== undefined);
  }

  /** The chat completion the chunks add up to, as the non-streaming API would have sent it. */
  completion(): OpenAI.ChatCompletion {
    return this.#completion;
  }
}
