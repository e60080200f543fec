/**
 * A lane: every call to one provider and model goes through one, so that the calls share the
 * concurrency cap and the rate budgets that the server enforces per model. The lane dispatches the
 * best waiting call whenever nothing holds it back, and otherwise sleeps until the earliest moment
 * something could change (a budget refills, a backoff or a 429 pause ends, a call finishes).
 */

import type { Clock } from '../clock.js';
import { VolleyError } from '../errors.js';
import type { Provider, ProviderResponse } from '../providers/types.js';
import type { BackoffOptions } from '../retry/backoff.js';
import { retryDelay } from '../retry/decide.js';
import { countMessageTokens } from '../tokens/count.js';
import { ConcurrencyLimit } from './concurrency.js';
import { attemptError, finalError, laneStoppedError } from './failures.js';
import { Heap } from './heap.js';
import { type Job, readyBefore, runsBefore } from './job.js';
import { RateBudget } from './rate-budget.js';
import { planRetry } from './retry-plan.js';
import type { CallResult, LaneSnapshot, VolleyEvents, WaitReason } from './types.js';

export interface LaneConfig {
  readonly provider: Provider;
  readonly model: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** A configured cap, or undefined to adapt between 1 and `maxConcurrency`. */
  readonly concurrency: number | undefined;
  readonly initialConcurrency: number;
  readonly maxConcurrency: number;
  readonly burstMs: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  /** Output tokens assumed for a call without `maxTokens` until the lane has seen real answers. */
  readonly outputTokens: number;
  readonly emit: <K extends keyof VolleyEvents>(name: K, event: VolleyEvents[K]) => void;
}

export class Lane {
  readonly key: string;
  readonly #ready = new Heap<Job>(runsBefore);
  readonly #delayed = new Heap<Job>(readyBefore);
  readonly #budget: RateBudget;
  readonly #concurrency: ConcurrencyLimit;
  #inFlight = 0;
  #unsettled = 0;
  #pausedUntil = 0;
  #headReason: WaitReason | undefined;
  #stopped: VolleyError | undefined;
  #outputEstimate: number;
  #cancelTimer: (() => void) | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #idleWaiters: Array<() => void> = [];
  #pumpPending = false;
  /** `volley.pause()`: nothing is dispatched until `hold(false)`. */
  #held = false;

  constructor(readonly config: LaneConfig) {
    this.key = `${config.provider.id}|${config.model}`;
    this.#budget = new RateBudget(config, config.clock.now());
    this.#concurrency = new ConcurrencyLimit({
      initial: config.concurrency ?? config.initialConcurrency,
      max: config.concurrency ?? config.maxConcurrency,
      grow: config.concurrency === undefined,
    });
    this.#outputEstimate = config.outputTokens;
  }

  /** Queues a job; its promise callbacks fire when it settles. */
  submit(job: Job): void {
    this.#unsettled++;
    if (this.#stopped) {
      this.#settle(job, finalError(job, laneStoppedError(this.#stopped), this.config.clock.now()));
      return;
    }
    if (this.#budget.tokens) this.#estimate(job);
    const { emit, model } = this.config;
    const at = this.config.clock.now();
    emit('queued', {
      id: job.id,
      lane: this.key,
      model,
      at,
      estimatedTokens: job.estimate,
      priority: job.priority,
    });
    this.#ready.push(job);
    this.#schedulePump();
  }

  /** Ends a job that has not finished: at once when waiting, after its abort lands when running. */
  cancel(job: Job, reason: 'cancelled' | 'deadline'): void {
    if (job.state === 'done') return;
    job.stopReason = reason;
    if (job.state === 'running') {
      job.attempt?.abort();
      return;
    }
    this.#settle(job, finalError(job, undefined, this.config.clock.now()));
    this.#schedulePump();
  }

  /** Stops (true) or resumes (false) dispatching; calls in flight go on. */
  hold(on: boolean): void {
    this.#held = on;
    if (!on) this.#schedulePump();
  }

  /**
   * Cancels the waiting calls (queued, in backoff or paused, not on the wire) that `filter` accepts,
   * each with an `AbortError`; returns how many.
   */
  clearQueued(filter: ((id: string) => boolean) | undefined): number {
    let cleared = 0;
    const now = this.config.clock.now();
    for (const heap of [this.#ready, this.#delayed]) {
      for (const job of heap.items()) {
        if (job.state !== 'waiting' || (filter !== undefined && !filter(job.id))) continue;
        job.stopReason = 'cancelled';
        this.#settle(job, finalError(job, undefined, now));
        cleared++;
      }
    }
    if (cleared > 0) this.#schedulePump();
    return cleared;
  }

  why(job: Job): WaitReason | undefined {
    if (job.state !== 'waiting') return undefined;
    if (job.readyAt > this.config.clock.now()) return 'backoff';
    return this.#headReason ?? 'priority';
  }

  snapshot(): LaneSnapshot {
    const now = this.config.clock.now();
    return {
      key: this.key,
      model: this.config.model,
      queued: this.#unsettled - this.#inFlight,
      inFlight: this.#inFlight,
      concurrency: this.#concurrency.value,
      rpm: this.#budget.requests?.perMinute,
      tpm: this.#budget.tokens?.perMinute,
      waitingFor: this.#ready.size > 0 ? this.#headReason : undefined,
      pausedUntil: this.#pausedUntil > now ? this.#pausedUntil : undefined,
    };
  }

  onIdle(): Promise<void> {
    if (this.#unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Pumps once the current burst of promise callbacks has run. A call that finishes resolves its
   * caller first, so that the caller's next step (a flow's later, higher-priority call) is queued
   * before the freed slot is given away; and a burst of submits or answers costs one pump.
   */
  #schedulePump(): void {
    if (this.#pumpPending) return;
    this.#pumpPending = true;
    this.config.clock.setTimer(() => {
      this.#pumpPending = false;
      this.#pump();
    }, 0);
  }

  #pump(): void {
    const { clock } = this.config;
    const now = clock.now();
    for (let due = this.#delayed.peek(); due && due.readyAt <= now; due = this.#delayed.peek()) {
      this.#delayed.pop();
      if (due.state === 'waiting') this.#ready.push(due);
    }
    let wakeAt = Number.POSITIVE_INFINITY;
    this.#headReason = undefined;
    for (let job = this.#ready.peek(); job; job = this.#ready.peek()) {
      if (job.state !== 'waiting') {
        this.#ready.pop(); // cancelled while waiting
        continue;
      }
      if (this.#held) {
        this.#headReason = 'held';
        break; // `hold(false)` pumps again
      }
      if (this.#pausedUntil > now) {
        this.#headReason = 'paused';
        wakeAt = this.#pausedUntil;
        break;
      }
      if (this.#inFlight >= this.#concurrency.value) {
        const probeAt = this.#concurrency.markSaturated(
          (this.#budget.requests?.perMinute ?? 0) / 60_000,
          now,
        );
        if (this.#inFlight < this.#concurrency.value) continue; // the cap just grew
        this.#headReason = 'concurrency';
        if (probeAt !== undefined) wakeAt = probeAt;
        break; // a finishing call pumps again
      }
      const blocked = this.#budget.waitFor(this.#budget.tokens ? this.#estimate(job) : 0, now);
      if (blocked) {
        this.#headReason = blocked.reason;
        wakeAt = now + blocked.wait;
        break;
      }
      this.#ready.pop();
      this.#dispatch(job, now);
    }
    const nextDelayed = this.#delayed.peek();
    if (nextDelayed) wakeAt = Math.min(wakeAt, nextDelayed.readyAt);
    this.#armTimer(wakeAt, now);
  }

  #armTimer(at: number, now: number): void {
    if (at === this.#timerAt) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#cancelTimer = this.config.clock.setTimer(() => {
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#cancelTimer = undefined;
      this.#pump();
    }, at - now);
  }

  #dispatch(job: Job, now: number): void {
    const { clock, provider, emit, model } = this.config;
    this.#inFlight++;
    job.sent = this.#budget.take(job.estimate ?? 0, now);
    job.state = 'running';
    job.queuedMs += now - job.waitingSince;
    job.attempts++;
    const attempt = new AbortController();
    job.attempt = attempt;
    const cancelTimeout = clock.setTimer(() => {
      job.stopReason ??= 'timeout';
      attempt.abort();
    }, job.timeout);
    emit('started', {
      id: job.id,
      lane: this.key,
      model,
      at: now,
      attempt: job.attempts,
      waitedMs: job.queuedMs,
    });
    const sent = Promise.resolve().then(() =>
      provider.send(job.request, { signal: attempt.signal, onDelta: deltasOf(job) }),
    );
    sent.then(
      (response) => this.#onAnswer(job, now, cancelTimeout, response),
      (error: unknown) => this.#onFailure(job, cancelTimeout, error),
    );
  }

  #onAnswer(job: Job, startedAt: number, cancelTimeout: () => void, response: ProviderResponse): void {
    cancelTimeout();
    const now = this.config.clock.now();
    this.#inFlight--;
    this.#concurrency.onAnswer();
    this.#budget.observe(response.headers, now, job.sent);
    this.#reconcile(job, response, now);
    this.#concurrency.onSuccess(now - startedAt, now);
    const result: CallResult = {
      id: job.id,
      text: response.text,
      usage: response.usage,
      finishReason: response.finishReason,
      model: response.model,
      requestID: response.requestID,
      raw: response.raw,
      timings: {
        enqueuedAt: job.enqueuedAt,
        startedAt,
        finishedAt: now,
        queuedMs: job.queuedMs,
        attempts: job.attempts,
        latencyMs: now - startedAt,
      },
    };
    this.#settle(job, result);
    this.#schedulePump();
  }

  /** Prompt tokens by the tokenizer, plus `maxTokens` or the typical answer length seen so far. */
  #estimate(job: Job): number {
    // Counted again at each look, so that calls queued before the first answers use the typical
    // answer length seen since, not the default.
    job.promptTokens ??= countMessageTokens(job.request.messages);
    job.estimate = job.promptTokens + (job.request.maxTokens ?? Math.round(this.#outputEstimate));
    return job.estimate;
  }

  /** Replaces the token estimate with what the server counted, and learns typical answer length. */
  #reconcile(job: Job, response: ProviderResponse, now: number): void {
    const usage = response.usage;
    if (!usage) return;
    const maxTokens = job.request.maxTokens;
    if (maxTokens === undefined)
      this.#outputEstimate = this.#outputEstimate * 0.9 + usage.completionTokens * 0.1;
    const charged = usage.promptTokens + (maxTokens ?? usage.completionTokens);
    if (job.estimate !== undefined) this.#budget.tokens?.adjust(job.estimate - charged, now);
  }

  #onFailure(job: Job, cancelTimeout: () => void, thrown: unknown): void {
    cancelTimeout();
    const { clock, emit, model, random } = this.config;
    const now = clock.now();
    this.#inFlight--;
    const error = attemptError(job, thrown);
    if (error.status !== undefined) this.#concurrency.onAnswer();
    if (error.headers) this.#budget.observe(error.headers, now, job.sent);
    if (error.code === 'rate_limited') this.#onRateLimited(job, error, now);

    const stoppedByUs = job.stopReason === 'cancelled' || job.stopReason === 'deadline';
    const plan = stoppedByUs
      ? undefined
      : planRetry(job, error, this.config.maxAttempts, random, now, this.#pausedUntil);
    if (plan?.stopLane) this.#stop(error);
    if (plan?.pastDeadline) job.stopReason = 'deadline';
    if (plan?.delay === undefined) {
      this.#settle(job, finalError(job, error, now));
    } else {
      job.stopReason = undefined;
      job.state = 'waiting';
      job.retry = true;
      job.readyAt = now + plan.delay;
      job.waitingSince = now;
      job.backoff = job.backoff.next();
      this.#delayed.push(job);
      emit('retried', {
        id: job.id,
        lane: this.key,
        model,
        at: now,
        attempt: job.attempts,
        delayMs: plan.delay,
        error,
      });
    }
    this.#schedulePump();
  }

  /** A 429 pauses the whole lane, not just this call: every other call would get one too. */
  #onRateLimited(job: Job, error: VolleyError, now: number): void {
    const blamed = this.#budget.onRateLimited(error.headers, now, job.sent);
    if (!blamed) this.#concurrency.decrease(0.5, now, 1000);
    const pause = retryDelay(error, job.backoff, this.config.random);
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
    const { emit, model } = this.config;
    emit('rate-limited', {
      id: job.id,
      lane: this.key,
      model,
      at: now,
      pauseMs: pause,
      status: error.status,
    });
  }

  /** Fails every waiting call with the same clear error, and every later one at once. */
  #stop(error: VolleyError): void {
    if (this.#stopped) return;
    this.#stopped = error;
    const now = this.config.clock.now();
    for (const job of [...this.#ready.drain(), ...this.#delayed.drain()]) {
      if (job.state === 'waiting') this.#settle(job, finalError(job, laneStoppedError(error), now));
    }
  }

  #settle(job: Job, outcome: CallResult | VolleyError): void {
    if (job.state === 'done') return;
    job.state = 'done';
    job.attempt = undefined;
    job.dispose();
    const { emit, model, clock } = this.config;
    const at = clock.now();
    if (outcome instanceof VolleyError) {
      emit('failed', { id: job.id, lane: this.key, model, at, error: outcome });
      job.reject(outcome);
    } else {
      emit('finished', { id: job.id, lane: this.key, model, at, result: outcome });
      job.resolve(outcome);
    }
    if (--this.#unsettled === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/** The caller's `onDelta` for this attempt: each piece says which attempt it belongs to. */
function deltasOf(job: Job): ((text: string) => void) | undefined {
  const onDelta = job.onDelta;
  if (onDelta === undefined) return undefined;
  const attempt = job.attempts;
  return (text) => onDelta(text, attempt);
}
