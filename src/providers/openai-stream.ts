/**
 * Rebuilds a chat completion from the chunks of a streamed one: the first choice's text, refusal
 * and finish reason, the model, and the usage the last chunk reports (`stream_options.include_usage`).
 */
import { readUsage } from './openai-body.js';
import { isRecord } from './shared.js';
import type { Usage } from './types.js';

export class CompletionAccumulator {
  text = '';
  refusal = '';
  finishReason: string | null = null;
  usage: Usage | undefined;
  model: string;
  #rawUsage: unknown;
  #id: unknown;
  #created: unknown;

  constructor(model: string) {
    this.model = model;
  }

  /** Applies one chunk, reporting each piece of text it adds to `onDelta`. */
  apply(chunk: unknown, onDelta: (text: string) => void): void {
    if (!isRecord(chunk)) return;
    if (typeof chunk['model'] === 'string' && chunk['model'] !== '') this.model = chunk['model'];
    this.#id ??= chunk['id'];
    this.#created ??= chunk['created'];
    if (isRecord(chunk['usage'])) {
      this.#rawUsage = chunk['usage'];
      this.usage = readUsage(this.#rawUsage);
    }
    const choices = chunk['choices'];
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      // Only the first choice is reported; `n > 1` streams interleave the others.
      if (!isRecord(choice) || (choice['index'] ?? 0) !== 0) continue;
      const delta = choice['delta'];
      if (isRecord(delta)) {
        const piece = delta['content'];
        if (typeof piece === 'string' && piece !== '') {
          this.text += piece;
          onDelta(piece);
        }
        if (typeof delta['refusal'] === 'string') this.refusal += delta['refusal'];
      }
      if (typeof choice['finish_reason'] === 'string') this.finishReason = choice['finish_reason'];
    }
  }

  /** The chat completion the chunks add up to, as the non-streaming API would have sent it. */
  toCompletion(): Record<string, unknown> {
    return {
      id: this.#id,
      object: 'chat.completion',
      created: this.#created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.text,
            refusal: this.refusal === '' ? null : this.refusal,
          },
          finish_reason: this.finishReason,
        },
      ],
      usage: this.#rawUsage,
    };
  }
}
