import type { StatsRecorder } from './stats.js';

/** Answers a request; a stream that outlives the answer takes over ending the in-flight count. */
export type CountedResponder = (request: Request, takeRelease: () => () => void) => Promise<Response>;

/**
 * Wraps a realtime endpoint (chat, Anthropic messages) in the in-flight count: begun on arrival,
 * ended when the answer is complete (or by a stream once it ends), and an abort counted.
 */
export function countedInFlight(
  stats: StatsRecorder,
  respond: CountedResponder,
): (request: Request) => Promise<Response> {
  return async (request) => {
    stats.begin();
    let release: (() => void) | undefined = () => stats.end();
    try {
      return await respond(request, () => {
        const handedOver = release!;
        release = undefined;
        return handedOver;
      });
    } catch (error) {
      if (request.signal.aborted) stats.count('aborted');
      throw error;
    } finally {
      release?.();
    }
  };
}
