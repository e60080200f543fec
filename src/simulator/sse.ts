import { delay, type SetTimer } from './delay.js';

/** One `data:` event of a stream and how long to wait before sending it, in milliseconds. */
export interface SseEvent {
  readonly delayMs: number;
  readonly data: string;
  /** The `event:` line, for APIs that name their events (Anthropic's). */
  readonly event?: string;
}

export interface SseStreamOptions {
  readonly setTimer: SetTimer;
  /** The request's signal: a client that goes away stops the stream and its timers. */
  readonly signal: AbortSignal;
  /** Called once when the stream ends for any reason: finished, cancelled or aborted. */
  readonly onEnd: (outcome: 'finished' | 'cancelled') => void;
}

const encoder = new TextEncoder();

/**
 * A `text/event-stream` body that sends each event after its delay. Pull-based, so a slow reader is
 * not flooded and nothing is computed for a reader that stopped reading.
 */
export function sseStream(
  events: readonly SseEvent[],
  options: SseStreamOptions,
): ReadableStream<Uint8Array> {
  const { setTimer, signal, onEnd } = options;
  // Stops the pending delay when the reader cancels, not only when the request aborts.
  const cancelled = new AbortController();
  const waitSignal = AbortSignal.any([signal, cancelled.signal]);
  let next = 0;
  let ended = false;
  const end = (outcome: 'finished' | 'cancelled') => {
    if (ended) return;
    ended = true;
    signal.removeEventListener('abort', onAbort);
    onEnd(outcome);
  };
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  // Like a fetch body, the stream errors with the abort reason when the request is aborted.
  const onAbort = () => {
    if (ended) return;
    stream?.error(signal.reason);
    end('cancelled');
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream = controller;
      if (events.length === 0) {
        controller.close();
        end('finished');
      } else if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    },
    async pull(controller) {
      const event = events[next++];
      if (!event) return;
      try {
        await delay(setTimer, event.delayMs, waitSignal);
      } catch {
        return; // aborted (onAbort has errored the stream) or cancelled
      }
      if (ended) return;
      const name = event.event === undefined ? '' : `event: ${event.event}\n`;
      controller.enqueue(encoder.encode(`${name}data: ${event.data}\n\n`));
      // Close right after the last event rather than on the next pull, which a reader may never make.
      if (next === events.length) {
        controller.close();
        end('finished');
      }
    },
    cancel() {
      end('cancelled');
      cancelled.abort();
    },
  });
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};
