import { anthropicRoutes } from './anthropic/index.js';
import { batchContext, openaiBatchRoutes, routeTable } from './batch/index.js';
import { type ChatEndpointContext, chatEndpoint } from './chat-completions.js';
import { authorized } from './chat-request.js';
import { timerFrom } from './delay.js';
import { ConnectionResetError, fetchFailed } from './faults.js';
import type { ResolvedSimulatorOptions, SimulatorOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import { resolveSimulatorOptions } from './resolve-options.js';
import { errorResponse, errors, jsonResponse } from './responses.js';
import { mulberry32 } from './rng.js';
import { type SimulatorStats, StatsRecorder } from './stats.js';

/** The `fetch` signature SDK clients accept (`new OpenAI({ fetch })`). */
export type SimulatorFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Simulator {
  /**
   * Answers one request. Rejects with a `ConnectionResetError` for a simulated reset (there is no
   * response to give) and with the signal's reason when the request is aborted.
   */
  handle(request: Request): Promise<Response>;
  /** An in-process `fetch`: a reset rejects with `TypeError('fetch failed')` as undici's does. */
  readonly fetch: SimulatorFetch;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Changes the chat endpoint's rpm and tpm from now on, as a provider changing an account's tier. */
  setLimits(limits: { readonly rpm?: number; readonly tpm?: number }): void;
  readonly options: ResolvedSimulatorOptions;
}

/** A fake OpenAI-compatible server as a fetch handler; `listen` puts it on a real port. */
export function createSimulator(options?: SimulatorOptions): Simulator {
  const resolved = resolveSimulatorOptions(options);
  const stats = new StatsRecorder();
  let serial = 0;
  const limiter = new RateLimiter(resolved);
  const realtime: ChatEndpointContext = {
    options: resolved,
    limiter,
    stats,
    random: mulberry32(resolved.seed),
    setTimer: timerFrom(resolved.clock),
    nextSerial: () => ++serial,
  };
  const chat = chatEndpoint(realtime);

  // The Batch APIs and Anthropic's endpoints (`src/simulator/batch`, `src/simulator/anthropic`).
  const batches = batchContext(resolved, stats);
  const moreRoutes = routeTable([...openaiBatchRoutes(batches), ...anthropicRoutes(batches, realtime)]);
  const snapshot = () => {
    batches.settle(); // batches that ended since the last request count their lines
    return stats.snapshot();
  };

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    // `/v1/chat/completions` and `/chat/completions` alike, with or without a trailing slash.
    const path = pathname.replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
    const route = `${request.method} ${path}`;
    try {
      switch (route) {
        case 'POST /chat/completions':
          return await chat(request);
        case 'GET /models':
          if (!authorized(request, resolved.apiKey)) return errorResponse(401, errors.invalidApiKey());
          return jsonResponse(200, {
            object: 'list',
            data: resolved.models.map((id) => ({
              id,
              object: 'model',
              created: 1_700_000_000,
              owned_by: 'volley',
            })),
          });
        case 'GET /stats':
          return jsonResponse(200, snapshot());
        case 'POST /stats/reset':
          stats.reset();
          return jsonResponse(200, stats.snapshot());
        default:
          return (
            (await moreRoutes(request, path)) ?? errorResponse(404, errors.notFound(request.method, pathname))
          );
      }
    } catch (error) {
      // Resets and aborts are how the simulated network behaves; anything else is a simulator bug,
      // answered as a 500 (a client copes with that) that says what broke, so it is not taken for
      // an injected fault.
      if (error instanceof ConnectionResetError || request.signal.aborted) throw error;
      return errorResponse(500, errors.simulatorBug(error));
    }
  }

  return {
    handle,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      try {
        return await handle(request);
      } catch (error) {
        throw error instanceof ConnectionResetError ? fetchFailed(error) : error;
      }
    },
    stats: snapshot,
    resetStats: () => stats.reset(),
    setLimits: (limits) => limiter.setLimits(limits),
    options: resolved,
  };
}
