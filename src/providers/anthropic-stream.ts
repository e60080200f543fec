/**
 * Rebuilds a Messages API `Message` from the events of a streamed one.
 */
import { isRecord } from './shared.js';

/**
 * Rebuilds a `Message` from stream events: text, thinking and tool-use blocks, the stop reason,
 * and the usage from `message_start` updated by `message_delta`.
 */
export class MessageAccumulator {
  text = '';
  stopReason: string | null = null;
  model: string;
  usage: Record<string, unknown> | undefined;
  #id: unknown;
  #stopSequence: unknown = null;
  readonly #blocks: Record<string, unknown>[] = [];
  /** Partial JSON of each tool-use block's input, by block index. */
  readonly #json = new Map<number, string>();

  constructor(model: string) {
    this.model = model;
  }

  /** Applies one event; returns the text it adds, if any. */
  apply(event: unknown): string | undefined {
    if (!isRecord(event)) return undefined;
    switch (event['type']) {
      case 'message_start': {
        const message = event['message'];
        if (!isRecord(message)) return undefined;
        this.#id = message['id'];
        if (typeof message['model'] === 'string' && message['model'] !== '') this.model = message['model'];
        if (isRecord(message['usage'])) this.usage = { ...message['usage'] };
        return undefined;
      }
      case 'content_block_start': {
        const index = event['index'];
        const block = event['content_block'];
        if (typeof index === 'number' && isRecord(block)) this.#blocks[index] = { ...block };
        return undefined;
      }
      case 'content_block_delta':
        return this.#delta(event['index'], event['delta']);
      case 'content_block_stop':
        this.#finishBlock(event['index']);
        return undefined;
      case 'message_delta': {
        const delta = event['delta'];
        if (isRecord(delta)) {
          if (typeof delta['stop_reason'] === 'string') this.stopReason = delta['stop_reason'];
          if (delta['stop_sequence'] !== undefined) this.#stopSequence = delta['stop_sequence'];
        }
        // The delta's counts are cumulative; fields it leaves out or nulls keep their start values.
        const usage = event['usage'];
        if (isRecord(usage)) {
          this.usage ??= {};
          for (const [name, value] of Object.entries(usage)) {
            if (value !== null && value !== undefined) this.usage[name] = value;
          }
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  #delta(index: unknown, delta: unknown): string | undefined {
    if (!isRecord(delta)) return undefined;
    const block = typeof index === 'number' ? this.#blocks[index] : undefined;
    switch (delta['type']) {
      case 'text_delta': {
        const piece = delta['text'];
        if (typeof piece !== 'string' || piece === '') return undefined;
        this.text += piece;
        if (block !== undefined)
          block['text'] = `${typeof block['text'] === 'string' ? block['text'] : ''}${piece}`;
        return piece;
      }
      case 'input_json_delta':
        if (typeof index === 'number' && typeof delta['partial_json'] === 'string') {
          this.#json.set(index, (this.#json.get(index) ?? '') + delta['partial_json']);
        }
        return undefined;
      case 'thinking_delta':
      case 'signature_delta': {
        const field = delta['type'] === 'thinking_delta' ? 'thinking' : 'signature';
        const piece = delta[field];
        if (block !== undefined && typeof piece === 'string') {
          block[field] = `${typeof block[field] === 'string' ? block[field] : ''}${piece}`;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  #finishBlock(index: unknown): void {
    if (typeof index !== 'number') return;
    const json = this.#json.get(index);
    const block = this.#blocks[index];
    if (json === undefined || block === undefined) return;
    try {
      block['input'] = json === '' ? {} : JSON.parse(json);
    } catch {
      // Kept as the text the server sent; the caller can see what went wrong.
      block['input'] = json;
    }
  }

  toMessage(): Record<string, unknown> {
    return {
      id: this.#id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: this.#blocks.filter((block) => block !== undefined),
      stop_reason: this.stopReason,
      stop_sequence: this.#stopSequence,
      usage: this.usage,
    };
  }
}
