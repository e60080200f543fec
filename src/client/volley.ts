/**
 * The client: `complete` one call, `all` (fail fast) or `settle` (a result or an error per item)
 * many, in input order. Calls go through one lane per model, which owns rate limits and retries.
 */

import { hitResult } from '../cache/hit.js';
import { cacheKey } from '../cache/key.js';
import type { ResponseCache } from '../cache/store.js';
import { AbortError, VolleyError } from '../errors.js';
import type { CallRequest, ProviderRequest } from '../providers/types.js';
import { Job } from '../scheduler/job.js';
import { Lane } from '../scheduler/lane.js';
import { AbortRegistry } from './abort-registry.js';
import { Emitter } from './emitter.js';
import { normalizeRequest } from './normalize.js';
import { type ResolvedOptions, resolveOptions, type VolleyOptions } from './options.js';
import type { CallOptions, CallResult, LaneSnapshot, Settled, VolleyEvents, WaitReason } from './types.js';

/** Burst assumed for a learned limit until the server's headers show its own. */
const BURST_MS = 1000;
/** Calls an unknown server is probed with at once, before the cap grows by the probe's steps. */
const INITIAL_CONCURRENCY = 8;

/**
 * A call as the client tracks it: its lane, and what it registered (abort watches, a deadline
 * timer) so that `release` can undo it without a closure per call.
 */
class CallJob extends Job {
  lane!: Lane;
  aborts: AbortRegistry | undefined;
  signal: AbortSignal | undefined;
  clientSignal: AbortSignal | undefined;
  cancelDeadline: (() => void) | undefined;

  onAbort(): void {
    this.lane.cancel(this, 'cancelled');
  }

  override release(): void {
    if (this.signal) this.aborts?.unwatch(this.signal, this);
    if (this.clientSignal) this.aborts?.unwatch(this.clientSignal, this);
    this.cancelDeadline?.();
  }
}

export class Volley {
  readonly options: ResolvedOptions;
  readonly #events = new Emitter<VolleyEvents>();
  /** By model: every call of this client goes to its one provider, so the model names the lane. */
  readonly #lanes = new Map<string, Lane>();
  readonly #aborts = new AbortRegistry();
  #seq = 0;
  #paused = false;

  constructor(options: VolleyOptions) {
    this.options = resolveOptions(options);
  }

  /**
   * One call, queued in its model's lane; resolves with the answer or rejects with a `VolleyError`.
   * With a `cache`, a hit resolves without entering the lane at all.
   */
  complete(request: CallRequest, options: CallOptions = {}): Promise<CallResult> {
    const cache = this.options.cache;
    if (cache !== undefined) return this.#throughCache(cache, request, options);
    return new Promise<CallResult>((resolve, reject) =>
      this.#submit(normalizeRequest(request, this.options.model), options, resolve, reject),
    );
  }

  async #throughCache(cache: ResponseCache, request: CallRequest, options: CallOptions): Promise<CallResult> {
    const o = this.options;
    const normalized = normalizeRequest(request, o.model);
    let key: string | undefined;
    try {
      key = cacheKey(o.provider, normalized);
    } catch {
      // A request the API cannot express: the lane sends nothing and fails it the same way.
    }
    const entry = key === undefined ? undefined : await cache.get(key);
    if (options.signal?.aborted || o.signal?.aborted) throw new AbortError();
    const id = options.id ?? `call-${this.#seq++}`;
    const hit = entry && hitResult(o.provider, id, entry, o.clock.now());
    if (hit) {
      // A stream from the cache is its whole text at once, as attempt 1.
      options.onDelta?.(hit.text, 1);
      return hit;
    }
    const result = await new Promise<CallResult>((resolve, reject) =>
      this.#submit(normalized, { ...options, id }, resolve, reject),
    );
    // Only a body the provider can read again is kept; a failure never reaches here.
    if (key !== undefined && result.raw !== null && typeof result.raw === 'object')
      await cache.put(key, { body: result.raw, model: result.model, requestID: result.requestID });
    return result;
  }

  /** Queues `normalized` in its lane; throws (inside a promise's executor) what rejects the call. */
  #submit(
    normalized: ProviderRequest,
    options: CallOptions,
    resolve: (result: CallResult) => void,
    reject: (error: unknown) => void,
  ): void {
    const o = this.options;
    const lane = this.#lanes.get(normalized.model) ?? this.#lane(normalized.model);
    const signal = options.signal;
    const clientSignal = o.signal;
    if (signal?.aborted || clientSignal?.aborted) throw new AbortError();
    const now = o.clock.now();
    const seq = this.#seq++;
    const deadline = options.deadline ?? o.deadline;
    const job = new CallJob({
      id: options.id ?? `call-${seq}`,
      request: normalized,
      priority: options.priority ?? 0,
      seq,
      enqueuedAt: now,
      timeout: options.timeout ?? o.timeout,
      deadlineAt: now + deadline,
      onDelta: options.onDelta,
      resolve,
      reject,
    });
    job.lane = lane;
    if (signal || clientSignal) {
      job.aborts = this.#aborts;
      job.signal = signal;
      job.clientSignal = clientSignal;
      if (signal) this.#aborts.watch(signal, job);
      if (clientSignal) this.#aborts.watch(clientSignal, job);
    }
    if (Number.isFinite(deadline))
      job.cancelDeadline = o.clock.setTimer(() => lane.cancel(job, 'deadline'), deadline);
    lane.submit(job);
  }

  /**
   * Every call at once; resolves with the results in input order, or rejects with the first
   * failure and cancels the calls still queued or in flight.
   */
  async all(requests: Iterable<CallRequest>, options: CallOptions = {}): Promise<CallResult[]> {
    const group = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, group.signal]) : group.signal;
    const calls = Array.from(requests, (request, i) =>
      this.complete(request, { ...options, signal, id: options.id && `${options.id}-${i}` }),
    );
    try {
      return await Promise.all(calls);
    } catch (error) {
      group.abort();
      // Wait for the cancelled calls to give back their slots before reporting.
      await Promise.allSettled(calls);
      throw error;
    }
  }

  /** Every call at once; one `{ ok, value }` or `{ ok: false, error }` per request, in input order. */
  settle(requests: Iterable<CallRequest>, options: CallOptions = {}): Promise<Settled<CallResult>[]> {
    return Promise.all(
      Array.from(requests, (request, i) =>
        this.complete(request, { ...options, id: options.id && `${options.id}-${i}` }).then(
          (value): Settled<CallResult> => ({ ok: true, value }),
          (error: unknown): Settled<CallResult> => ({ ok: false, error: asVolleyError(error) }),
        ),
      ),
    );
  }

  /** Subscribes to call events; returns the function that unsubscribes. */
  on<K extends keyof VolleyEvents>(name: K, listener: (event: VolleyEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  /** What a queued call is waiting for; undefined once it is in flight or settled. A diagnostic. */
  why(id: string): WaitReason | undefined {
    for (const lane of this.#lanes.values()) {
      const job = lane.waiting(id);
      if (job) return lane.why(job);
    }
    return undefined;
  }

  lanes(): LaneSnapshot[] {
    return [...this.#lanes.values()].map((lane) => lane.snapshot());
  }

  /**
   * Cancels the calls that are waiting (queued, in backoff or paused by a 429) and not on the wire,
   * each with an `AbortError`; `filter` picks them by id. Calls in flight go on. Returns how many.
   */
  clearQueued(filter?: (id: string) => boolean): number {
    let cleared = 0;
    for (const lane of this.#lanes.values()) cleared += lane.clearQueued(filter);
    return cleared;
  }

  /** Stops dispatching: calls in flight go on, queued and new calls wait until `start()`. */
  pause(): void {
    this.#paused = true;
    for (const lane of this.#lanes.values()) lane.hold(true);
  }

  /** Resumes dispatching after `pause()`. A client starts unpaused. */
  start(): void {
    this.#paused = false;
    for (const lane of this.#lanes.values()) lane.hold(false);
  }

  /** True between `pause()` and `start()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Resolves once no call is queued or in flight (never while paused with calls waiting). */
  async onIdle(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((lane) => lane.onIdle()));
  }

  #lane(model: string): Lane {
    const o = this.options;
    const lane = new Lane({
      key: `${o.provider.id}|${model}`,
      provider: o.provider,
      model,
      clock: o.clock,
      random: o.random,
      rpm: o.rpm,
      tpm: o.tpm,
      concurrency: o.concurrency,
      // A configured rpm paces the calls itself; with nothing known, probe.
      initialConcurrency:
        o.rpm === undefined ? Math.min(INITIAL_CONCURRENCY, o.maxConcurrency) : o.maxConcurrency,
      maxConcurrency: o.maxConcurrency,
      burstMs: BURST_MS,
      maxAttempts: o.maxAttempts,
      backoff: o.backoff,
      outputTokens: o.outputTokens,
      maxOutage: o.maxOutage,
      events: this.#events,
    });
    if (this.#paused) lane.hold(true);
    this.#lanes.set(model, lane);
    return lane;
  }
}

export function asVolleyError(error: unknown): VolleyError {
  if (error instanceof VolleyError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new VolleyError('unexpected', detail, { cause: error });
}
