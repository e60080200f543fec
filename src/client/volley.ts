/**
 * The client: `complete` one call, `all` (fail fast) or `settle` (a result or an error per item)
 * many, in input order. Calls go through one lane per model, which owns rate limits and retries.
 */
import { AbortError, VolleyError } from '../errors.js';
import type { CallRequest, Provider } from '../providers/types.js';
import { ExponentialBackoff } from '../retry/backoff.js';
import type { Job } from '../scheduler/job.js';
import { Lane } from '../scheduler/lane.js';
import { AbortRegistry } from './abort-registry.js';
import { Emitter } from './emitter.js';
import { normalizeRequest } from './normalize.js';
import { type ResolvedOptions, resolveOptions, type VolleyOptions } from './options.js';
import type { CallOptions, CallResult, LaneSnapshot, Settled, VolleyEvents, WaitReason } from './types.js';

/** Burst assumed for a learned limit until a 429 shows the server allows less. */
const BURST_MS = 1000;
const INITIAL_CONCURRENCY = 4;

export class Volley {
  readonly options: ResolvedOptions;
  readonly #events = new Emitter<VolleyEvents>();
  readonly #lanes = new Map<string, Lane>();
  readonly #jobs = new Map<string, { job: Job; lane: Lane }>();
  readonly #aborts = new AbortRegistry();
  #seq = 0;
  #paused = false;

  constructor(options: VolleyOptions) {
    this.options = resolveOptions(options);
  }

  /** One call, queued in its model's lane; resolves with the answer or rejects with a `VolleyError`. */
  complete(request: CallRequest, options: CallOptions = {}): Promise<CallResult> {
    return new Promise<CallResult>((resolve, reject) => {
      const { clock, provider } = this.options;
      const normalized = normalizeRequest(request, this.options.model);
      const lane = this.#lane(provider, normalized.model);
      const signals = [options.signal, this.options.signal].filter((s): s is AbortSignal => s !== undefined);
      if (signals.some((s) => s.aborted)) throw new AbortError();
      const now = clock.now();
      const seq = this.#seq++;
      const id = options.id ?? `call-${seq}`;
      const deadline = options.deadline ?? this.options.deadline;
      const job: Job = {
        id,
        request: normalized,
        priority: options.priority ?? 0,
        seq,
        enqueuedAt: now,
        timeout: options.timeout ?? this.options.timeout,
        deadlineAt: now + deadline,
        onDelta: options.onDelta,
        resolve,
        reject,
        state: 'waiting',
        estimate: undefined,
        promptTokens: undefined,
        sent: undefined,
        attempts: 0,
        retry: false,
        readyAt: now,
        waitingSince: now,
        queuedMs: 0,
        backoff: new ExponentialBackoff(this.options.backoff),
        attempt: undefined,
        stopReason: undefined,
        dispose: () => {},
      };
      const unwatch = signals.map((signal) =>
        this.#aborts.watch(signal, () => lane.cancel(job, 'cancelled')),
      );
      const cancelDeadline = Number.isFinite(deadline)
        ? clock.setTimer(() => lane.cancel(job, 'deadline'), deadline)
        : undefined;
      job.dispose = () => {
        for (const stop of unwatch) stop();
        cancelDeadline?.();
        // Ids are the caller's: another call may reuse one, and its entry must stay.
        if (this.#jobs.get(id)?.job === job) this.#jobs.delete(id);
      };
      this.#jobs.set(id, { job, lane });
      lane.submit(job);
    });
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

  /** What a queued call is waiting for; undefined once it is in flight or settled. */
  why(id: string): WaitReason | undefined {
    const entry = this.#jobs.get(id);
    return entry?.lane.why(entry.job);
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

  #lane(provider: Provider, model: string): Lane {
    const key = `${provider.id}|${model}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      const o = this.options;
      lane = new Lane({
        provider,
        model,
        clock: o.clock,
        random: o.random,
        rpm: o.rpm,
        tpm: o.tpm,
        concurrency: o.concurrency,
        // A configured rpm paces the calls itself; with nothing known, start gently and probe.
        initialConcurrency:
          o.rpm === undefined ? Math.min(INITIAL_CONCURRENCY, o.maxConcurrency) : o.maxConcurrency,
        maxConcurrency: o.maxConcurrency,
        burstMs: BURST_MS,
        maxAttempts: o.maxAttempts,
        backoff: o.backoff,
        outputTokens: o.outputTokens,
        emit: (name, event) => this.#events.emit(name, event),
      });
      if (this.#paused) lane.hold(true);
      this.#lanes.set(key, lane);
    }
    return lane;
  }
}

export function asVolleyError(error: unknown): VolleyError {
  if (error instanceof VolleyError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new VolleyError('unexpected', detail, { cause: error });
}
