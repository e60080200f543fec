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
import { type Abortable, AbortRegistry } from './abort-registry.js';
import { Emitter } from './emitter.js';
import { normalizeRequest } from './normalize.js';
import { type ResolvedOptions, resolveOptions, type VolleyOptions } from './options.js';
import { AllCalls, SettleCalls, type Sink } from './sinks.js';
import type { CallOptions, CallResult, LaneSnapshot, Settled, VolleyEvents, WaitReason } from './types.js';

/** Burst assumed for a learned limit until the server's headers show its own. */
const BURST_MS = 1000;
/** Calls an unknown server is probed with at once, before the cap grows by the probe's steps. */
const INITIAL_CONCURRENCY = 8;

/**
 * A call as the client tracks it: its lane, where its outcome goes (`sink`, slot `index`), and what
 * it registered (abort watches) so that `release` can undo it without a closure per call. Its
 * deadline is the lane's to keep, with every other call's on one timer.
 */
class CallJob extends Job implements Abortable {
  lane!: Lane;
  sink!: Sink;
  index = 0;
  aborts: AbortRegistry | undefined;
  signal: AbortSignal | undefined;
  clientSignal: AbortSignal | undefined;

  onAbort(): void {
    this.lane.cancel(this, 'cancelled');
  }

  override release(): void {
    if (this.signal) this.aborts?.unwatch(this.signal, this);
    if (this.clientSignal) this.aborts?.unwatch(this.clientSignal, this);
  }

  resolve(result: CallResult): void {
    this.sink.fulfil(result, this.index);
  }

  reject(error: VolleyError): void {
    this.sink.fail(error, this.index);
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
    if (cache !== undefined) return this.#throughCache(cache, request, options, options.id, undefined);
    return new Promise<CallResult>((fulfil, fail) =>
      this.#submit(normalizeRequest(request, this.options.model), options, options.id, { fulfil, fail }, 0),
    );
  }

  /**
   * Every call at once; resolves with the results in input order, or rejects with the first
   * failure and cancels the calls still queued or in flight.
   */
  all(requests: Iterable<CallRequest>, options: CallOptions = {}): Promise<CallResult[]> {
    return new Promise<CallResult[]>((resolve, reject) => {
      const list = Array.from(requests);
      const batch = new AllCalls(list.length, resolve, reject);
      this.#submitAll(list, options, batch, batch);
    });
  }

  /** Every call at once; one `{ ok, value }` or `{ ok: false, error }` per request, in input order. */
  settle(requests: Iterable<CallRequest>, options: CallOptions = {}): Promise<Settled<CallResult>[]> {
    const list = Array.from(requests);
    return new Promise<Settled<CallResult>[]>((resolve) =>
      this.#submitAll(list, options, new SettleCalls(list.length, resolve, asVolleyError), undefined),
    );
  }

  /** Queues `requests` with ids `${options.id}-${i}`, each reporting to slot `i` of `sink`. */
  #submitAll(
    requests: readonly CallRequest[],
    options: CallOptions,
    sink: Sink,
    batch: AllCalls | undefined,
  ): void {
    const { cache, model } = this.options;
    for (let i = 0; i < requests.length; i++) {
      const id = options.id && `${options.id}-${i}`;
      try {
        if (cache === undefined)
          this.#submit(normalizeRequest(requests[i]!, model), options, id, sink, i, batch);
        else
          this.#throughCache(cache, requests[i]!, options, id, batch).then(
            (result) => sink.fulfil(result, i),
            (error: unknown) => sink.fail(error, i),
          );
      } catch (error) {
        sink.fail(error, i);
      }
    }
  }

  async #throughCache(
    cache: ResponseCache,
    request: CallRequest,
    options: CallOptions,
    id: string | undefined,
    batch: AllCalls | undefined,
  ): Promise<CallResult> {
    const o = this.options;
    const normalized = normalizeRequest(request, o.model);
    let key: string | undefined;
    try {
      key = cacheKey(o.provider, normalized);
    } catch {
      // A request the API cannot express: the lane sends nothing and fails it the same way.
    }
    const entry = key === undefined ? undefined : await cache.get(key);
    if (options.signal?.aborted || o.signal?.aborted || batch?.failed) throw new AbortError();
    const callId = id ?? `call-${this.#seq++}`;
    const hit = entry && hitResult(o.provider, callId, entry, o.clock.now());
    if (hit) {
      // A stream from the cache is its whole text at once, as attempt 1.
      options.onDelta?.(hit.text, 1);
      return hit;
    }
    const result = await new Promise<CallResult>((fulfil, fail) =>
      this.#submit(normalized, options, callId, { fulfil, fail }, 0, batch),
    );
    // Only a body the provider can read again is kept; a failure never reaches here.
    if (key !== undefined && result.raw !== null && typeof result.raw === 'object')
      await cache.put(key, { body: result.raw, model: result.model, requestID: result.requestID });
    return result;
  }

  /**
   * Queues `normalized` in its lane, its outcome for slot `index` of `sink`; throws what rejects
   * the call at once. A call of a failed `all` batch is not queued, like one whose signal aborted.
   */
  #submit(
    normalized: ProviderRequest,
    options: CallOptions,
    id: string | undefined,
    sink: Sink,
    index: number,
    batch?: AllCalls,
  ): void {
    const o = this.options;
    const lane = this.#lanes.get(normalized.model) ?? this.#lane(normalized.model);
    const signal = options.signal;
    const clientSignal = o.signal;
    if (signal?.aborted || clientSignal?.aborted || batch?.failed) throw new AbortError();
    const now = o.clock.now();
    const seq = this.#seq++;
    const deadline = options.deadline ?? o.deadline;
    const job = new CallJob({
      id: id ?? `call-${seq}`,
      request: normalized,
      priority: options.priority ?? 0,
      seq,
      enqueuedAt: now,
      timeout: options.timeout ?? o.timeout,
      deadlineAt: now + deadline,
      onDelta: options.onDelta,
    });
    job.lane = lane;
    job.sink = sink;
    job.index = index;
    if (signal || clientSignal) {
      job.aborts = this.#aborts;
      job.signal = signal;
      job.clientSignal = clientSignal;
      if (signal) this.#aborts.watch(signal, job);
      if (clientSignal) this.#aborts.watch(clientSignal, job);
    }
    batch?.calls.push(job);
    lane.submit(job);
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
