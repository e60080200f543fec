/**
 * A lane: every call to one provider and model goes through one, so that the calls share the
 * concurrency cap and the rate budgets that the server enforces per model. The lane dispatches the
 * best waiting call whenever nothing holds it back, and otherwise sleeps until the earliest moment
 * something could change (a budget refills, a backoff or a 429 pause ends, a call finishes).
 */

import type { Clock } from '../clock.js';
import { VolleyError } from '../errors.js';
import type { Provider, ProviderResponse } from '../providers/types.js';
import { type BackoffOptions, ExponentialBackoff } from '../retry/backoff.js';
import { retryDelay, stopsLane } from '../retry/decide.js';
import { countMessageTokens, estimateMessageTokens, loadTokenizer } from '../tokens/count.js';
import { retryAfterMs } from '../wire/index.js';
import { Attempt } from './attempt.js';
import { ConcurrencyLimit } from './concurrency.js';
import { attemptError, finalError, laneStoppedError } from './failures.js';
import { Heap } from './heap.js';
import { type Job, readyBefore, runsBefore } from './job.js';
import { Outage } from './outage.js';
import { RateBudget } from './rate-budget.js';
import { planRetry } from './retry-plan.js';
import { Timeouts } from './timeouts.js';
import { fromServer, refusedAsTooLarge, tooLargeError } from './too-large.js';
import type { CallResult, EventSink, LaneSnapshot, WaitReason } from './types.js';

export interface LaneConfig {
  /** Provider id and model: what events and snapshots name the lane by. */
  readonly key: string;
  readonly provider: Provider;
  readonly model: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** A configured (fixed) cap, or undefined to adapt between 1 and `maxConcurrency`. */
  readonly concurrency: number | undefined;
  readonly initialConcurrency: number;
  readonly maxConcurrency: number;
  readonly burstMs: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  /** Output tokens assumed for a call without `maxTokens` until the lane has seen real answers. */
  readonly outputTokens: number;
  /** How long an unreachable server is waited for before the waiting calls fail (ms). */
  readonly maxOutage: number;
  readonly events: EventSink;
}

/** Calls looked past in one pump when the head waits for tokens and later, smaller ones may fit. */
const LOOKAHEAD = 32;

export class Lane {
  readonly key: string;
  readonly #ready = new Heap<Job>(runsBefore);
  readonly #delayed = new Heap<Job>(readyBefore);
  readonly #budget: RateBudget;
  readonly #concurrency: ConcurrencyLimit;
  readonly #outage: Outage;
  /** Per-attempt timeouts, and the calls' deadlines: one timer each, whatever the number of calls. */
  readonly #timeouts: Timeouts;
  readonly #deadlines: Timeouts;
  #inFlight = 0;
  #unsettled = 0;
  #pausedUntil = 0;
  #headReason: WaitReason | undefined;
  #stopped: VolleyError | undefined;
  #outputEstimate: number;
  #outputSamples = 0;
  #cancelTimer: (() => void) | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #idleWaiters: Array<() => void> = [];
  #pumpPending = false;
  /** `volley.pause()`: nothing is dispatched until `hold(false)`. */
  #held = false;
  /** The provider is not ready to send yet (see `Provider.ready`). */
  #warming = false;
  readonly #runPump = () => {
    this.#pumpPending = false;
    this.#pump();
  };
  readonly #wake = () => {
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#cancelTimer = undefined;
    this.#pump();
  };

  constructor(readonly config: LaneConfig) {
    this.key = config.key;
    this.#budget = new RateBudget(config, config.clock.now());
    this.#concurrency = new ConcurrencyLimit({
      initial: config.concurrency ?? config.initialConcurrency,
      max: config.concurrency ?? config.maxConcurrency,
      grow: config.concurrency === undefined,
      loopLoad: config.clock.loopLoad?.bind(config.clock),
      loopMeter: config.clock.loopMeter?.(),
    });
    this.#outage = new Outage(config.maxOutage);
    this.#timeouts = new Timeouts(
      config.clock,
      (job) => {
        job.stopReason ??= 'timeout';
        job.attempt?.abort();
      },
      (job, attempt) => job.state === 'running' && job.attempts === attempt,
    );
    this.#deadlines = new Timeouts(
      config.clock,
      (job) => this.cancel(job, 'deadline'),
      (job) => job.state !== 'done',
    );
    this.#outputEstimate = config.outputTokens;
    // Until the provider can send at once, nothing is dispatched: calls waiting inside `send` for
    // an SDK to load would look like a server that has not answered yet, and the concurrency probe
    // would release a flood into a limit it has not had the chance to hear about.
    const ready = config.provider.ready?.();
    if (ready) {
      this.#warming = true;
      ready.then(() => {
        this.#warming = false;
        this.#schedulePump();
      });
    }
  }

  /** Queues a job; its promise callbacks fire when it settles. */
  submit(job: Job): void {
    this.#unsettled++;
    const { events, clock } = this.config;
    if (this.#stopped) {
      this.#settle(job, finalError(job, laneStoppedError(this.#stopped), clock.now()));
      return;
    }
    if (events.has('queued')) {
      events.emit('queued', {
        id: job.id,
        lane: this.key,
        model: this.config.model,
        at: job.enqueuedAt,
        estimatedTokens: this.#budget.tokens ? this.#estimate(job) : undefined,
        priority: job.priority,
      });
    }
    if (Number.isFinite(job.deadlineAt))
      this.#deadlines.add(job, job.deadlineAt - job.enqueuedAt, 0, job.enqueuedAt);
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

  /** The waiting call with this id, if any: a diagnostic, so a scan is fine. */
  waiting(id: string): Job | undefined {
    for (const heap of [this.#ready, this.#delayed]) {
      for (const job of heap.items()) if (job.id === id && job.state === 'waiting') return job;
    }
    return undefined;
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
      unreachableSince: this.#outage.since,
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
    this.config.clock.setTimer(this.#runPump, 0);
  }

  #pump(): void {
    const now = this.config.clock.now();
    for (let due = this.#delayed.peek(); due && due.readyAt <= now; due = this.#delayed.peek()) {
      this.#delayed.pop();
      if (due.state === 'waiting') this.#ready.push(due);
    }
    if (now >= this.#outage.endsAt) this.#giveUp(now);
    let wakeAt = Number.POSITIVE_INFINITY;
    this.#headReason = undefined;
    // Calls looked past because they wait for tokens while later ones fit; they keep their place.
    let passed: Job[] | undefined;
    for (let job = this.#ready.peek(); job; job = this.#ready.peek()) {
      if (job.state !== 'waiting') {
        this.#ready.pop(); // settled while waiting
        continue;
      }
      const held = this.#holdsBack(now);
      if (held !== undefined) {
        this.#headReason = held.reason;
        wakeAt = Math.min(wakeAt, held.until);
        break;
      }
      const tokens = this.#budget.tokens;
      if (tokens) {
        const cost = this.#estimate(job);
        if (this.#refuseTooLarge(job, now)) continue;
        const wait = tokens.waitFor(cost, now); // a cost above capacity waits for a full bucket
        // A call costing more than the bucket holds can only go into debt, which would hold back
        // every smaller call behind it: it goes once it has waited a refill of what it needs, or
        // when no one else is waiting.
        const intoDebt = cost > tokens.capacity;
        // Only a call the budget holds back needs an exact count: until then the estimate from
        // characters (which errs high) costs nothing, and the tables (70 MB, a quarter of a second)
        // stay unloaded.
        if ((wait > 0 || intoDebt) && job.promptTokens === undefined) loadTokenizer();
        if (wait > 0 || intoDebt) {
          job.tokensShortSince ??= now;
          const reserveAt = job.tokensShortSince + (cost * 60_000) / tokens.perMinute;
          const reserved = now >= reserveAt || (passed?.length ?? 0) >= LOOKAHEAD;
          const alone = this.#unsettled - this.#inFlight === 1; // the only call waiting
          if (wait > 0 && reserved) {
            // The budget refills for this call, and nothing jumps it.
            this.#headReason = 'tokens';
            wakeAt = Math.min(wakeAt, now + wait);
            break;
          }
          if (wait > 0 || !(reserved || alone)) {
            wakeAt = Math.min(wakeAt, reserveAt, wait > 0 ? now + wait : reserveAt);
            passed ??= [];
            passed.push(this.#ready.pop()!);
            continue;
          }
        }
      }
      this.#ready.pop();
      this.#dispatch(job, now);
    }
    if (passed) {
      for (const job of passed) this.#ready.push(job);
      this.#headReason ??= 'tokens';
    }
    const nextDelayed = this.#delayed.peek();
    if (nextDelayed) wakeAt = Math.min(wakeAt, nextDelayed.readyAt);
    if (this.#ready.size > 0 || nextDelayed) wakeAt = Math.min(wakeAt, this.#outage.endsAt);
    this.#armTimer(wakeAt, now);
  }

  /** What stops every call of the lane now, and until when; undefined when a call may go. */
  #holdsBack(now: number): { reason: WaitReason; until: number } | undefined {
    if (this.#held) return { reason: 'held', until: Number.POSITIVE_INFINITY }; // `hold(false)` pumps
    if (this.#warming) return { reason: 'concurrency', until: Number.POSITIVE_INFINITY }; // ready pumps
    if (this.#pausedUntil > now) return { reason: 'paused', until: this.#pausedUntil };
    if (this.#outage.since !== undefined) {
      // One probe at a time: a finishing one pumps again.
      if (this.#inFlight > 0) return { reason: 'unreachable', until: Number.POSITIVE_INFINITY };
      if (now < this.#outage.nextProbeAt) return { reason: 'unreachable', until: this.#outage.nextProbeAt };
    } else if (this.#inFlight >= this.#concurrency.value) {
      const pace = this.#budget.callPace();
      const probeAt = this.#concurrency.markSaturated(pace.perMs, pace.burst, now);
      // A finishing call pumps again, unless the cap just grew.
      if (this.#inFlight >= this.#concurrency.value)
        return { reason: 'concurrency', until: probeAt ?? Number.POSITIVE_INFINITY };
    }
    const requestWait = this.#budget.requests?.waitFor(1, now) ?? 0;
    if (requestWait > 0) return { reason: 'requests', until: now + requestWait };
    return undefined;
  }

  #armTimer(at: number, now: number): void {
    if (at === this.#timerAt) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#cancelTimer = this.config.clock.setTimer(this.#wake, Math.max(0, at - now));
  }

  #dispatch(job: Job, now: number): void {
    const { provider, events } = this.config;
    this.#inFlight++;
    job.sent = this.#budget.take(job.estimate ?? 0, now);
    job.state = 'running';
    job.queuedMs += now - job.waitingSince;
    job.attempts++;
    job.startedAt = now;
    job.tokensShortSince = undefined;
    if (this.#outage.since !== undefined) this.#outage.probeSent();
    const attempt = new Attempt(deltasOf(job));
    job.attempt = attempt;
    this.#timeouts.add(job, job.timeout, job.attempts, now);
    if (events.has('started')) {
      events.emit('started', {
        id: job.id,
        lane: this.key,
        model: this.config.model,
        at: now,
        attempt: job.attempts,
        waitedMs: job.queuedMs,
      });
    }
    let sent: Promise<ProviderResponse>;
    try {
      sent = provider.send(job.request, attempt);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (response) => this.#onAnswer(job, response),
      (error: unknown) => this.#onFailure(job, error),
    );
  }

  #ended(): void {
    if (--this.#inFlight === 0) this.#timeouts.clear();
  }

  #onAnswer(job: Job, response: ProviderResponse): void {
    const now = this.config.clock.now();
    this.#ended();
    this.#outage.onAnswer();
    this.#concurrency.onAnswer();
    // The count first: the server's figures, read next, already show it.
    this.#reconcile(job, response, now);
    this.#budget.observe(response.headers, now, job.sent, now);
    this.#concurrency.onSuccess(now - job.startedAt, now);
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
        startedAt: job.startedAt,
        finishedAt: now,
        queuedMs: job.queuedMs,
        attempts: job.attempts,
        latencyMs: now - job.startedAt,
      },
    };
    this.#settle(job, result);
    this.#schedulePump();
  }

  /**
   * Prompt tokens by the tokenizer, plus `maxTokens` or the typical answer length seen so far.
   * Until the tokenizer is loaded (in the background, off the first request's path, once a call
   * waits for tokens) the prompt is estimated from its characters and counted again at the next look.
   */
  #estimate(job: Job): number {
    let prompt = job.promptTokens;
    if (prompt === undefined) {
      const counted = estimateMessageTokens(job.request.messages);
      if (counted.exact) job.promptTokens = counted.tokens;
      prompt = counted.tokens;
    }
    // Counted again at each look, so that calls queued before the first answers use the typical
    // answer length seen since, not the default.
    job.estimate = prompt + (job.request.maxTokens ?? Math.round(this.#outputEstimate));
    return job.estimate;
  }

  /** Fails, at once and alone, a call larger than the tokens limit will ever allow. */
  #refuseTooLarge(job: Job, now: number): boolean {
    const limit = this.#budget.tokenLimit;
    if (limit === undefined) return false;
    const maxTokens = job.request.maxTokens ?? 0;
    const prompt = job.promptTokens ?? estimateMessageTokens(job.request.messages).tokens;
    if (prompt + maxTokens <= limit) return false;
    // An estimate from characters errs high: only the tokenizer's count may refuse a call.
    job.promptTokens ??= countMessageTokens(job.request.messages);
    if (job.promptTokens + maxTokens <= limit) return false;
    this.#ready.pop();
    const configured = this.config.tpm !== undefined && this.config.tpm <= limit;
    this.#settle(job, finalError(job, tooLargeError(job, job.promptTokens, limit, configured), now));
    return true;
  }

  /** Replaces the token estimate with what the server counted, and learns typical answer length. */
  #reconcile(job: Job, response: ProviderResponse, now: number): void {
    const usage = response.usage;
    if (!usage) return;
    const maxTokens = job.request.maxTokens;
    if (maxTokens === undefined) {
      // The mean of the answers so far, then a moving average over the last ten or so: the first
      // answer replaces the default at once instead of a tenth at a time, which would hold calls
      // back for the default's share of the budget for the first few round trips.
      const weight = Math.max(0.1, 1 / ++this.#outputSamples);
      this.#outputEstimate = this.#outputEstimate * (1 - weight) + usage.completionTokens * weight;
    }
    const charged = usage.promptTokens + (maxTokens ?? usage.completionTokens);
    if (job.estimate !== undefined) this.#budget.charged(job.sent, job.estimate, charged, now);
  }

  #onFailure(job: Job, thrown: unknown): void {
    const { clock, maxAttempts } = this.config;
    const now = clock.now();
    this.#ended();
    const error = attemptError(job, thrown);
    if (error.status !== undefined) {
      this.#outage.onAnswer();
      this.#concurrency.onAnswer();
    }
    if (error.headers) this.#budget.observe(error.headers, now, job.sent, now);
    if (job.stopReason === 'cancelled' || job.stopReason === 'deadline') {
      this.#finish(job, finalError(job, error, now));
      return;
    }
    if (stopsLane(error)) {
      this.#stop(error);
      this.#finish(job, finalError(job, error, now));
      return;
    }
    if (refusedAsTooLarge(error)) {
      // The server did not count it: no pause, no smaller budget, and its share back.
      this.#budget.giveBack(job.sent, job.estimate ?? 0, now);
      this.#finish(job, finalError(job, fromServer(error), now));
      return;
    }
    let delay: number;
    const noAnswer =
      error.code === 'connection_error' || (error.code === 'timeout' && this.#outage.since !== undefined);
    if (noAnswer && this.#outage.onConnectionFailure(error, now)) {
      job.freeAttempts++; // the server is down, not this call: it waits for a probe to get through
      delay = 0;
    } else if (error.code === 'rate_limited') {
      delay = this.#onRateLimited(job, error, now);
    } else {
      job.backoff ??= new ExponentialBackoff(this.config.backoff);
      delay = retryDelay(error, job.backoff, this.config.random, now);
    }
    // A retry never starts before a 429 pause ends; starting then, it goes first.
    delay = Math.max(delay, this.#pausedUntil - now);
    const plan = planRetry(job, error, maxAttempts, delay, now);
    if (plan === 'past-deadline') job.stopReason = 'deadline';
    if (plan === 'retry') this.#requeue(job, delay, error, now);
    else this.#finish(job, finalError(job, error, now));
  }

  #finish(job: Job, error: VolleyError): void {
    this.#settle(job, error);
    this.#schedulePump();
  }

  #requeue(job: Job, delay: number, error: VolleyError, now: number): void {
    job.stopReason = undefined;
    job.state = 'waiting';
    job.retry = true;
    job.readyAt = now + delay;
    job.waitingSince = now;
    job.backoff = (job.backoff ?? new ExponentialBackoff(this.config.backoff)).next();
    if (delay > 0) this.#delayed.push(job);
    else this.#ready.push(job);
    const { events } = this.config;
    if (events.has('retried')) {
      events.emit('retried', {
        id: job.id,
        lane: this.key,
        model: this.config.model,
        at: now,
        attempt: job.attempts,
        delayMs: delay,
        error,
      });
    }
    this.#schedulePump();
  }

  /**
   * A 429 holds back the whole lane, not just this call: every other call would get one too. It
   * waits for as long as the server said (`retry-after-ms`, `retry-after`); without that, until
   * the budget the server says is exhausted has refilled enough for the next call, which the
   * emptied budget itself enforces (not the window's full `reset`). With no budget to go on, a
   * backoff. Returns the pause (ms; 0 when the budget does the waiting).
   */
  #onRateLimited(job: Job, error: VolleyError, now: number): number {
    const advised = retryAfterMs(error.headers, now);
    const blamed = this.#budget.onRateLimited(error.headers, now, job.sent, advised, now);
    if (!blamed) this.#concurrency.decrease(0.5, now, 1000);
    let pause = advised ?? 0;
    if (advised === undefined && !blamed) {
      job.backoff ??= new ExponentialBackoff(this.config.backoff);
      pause = job.backoff.delay(this.config.random);
    }
    if (pause > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
    const { events } = this.config;
    if (events.has('rate-limited')) {
      const budgetWait = this.#budget.requests?.waitFor(1, now) ?? 0;
      events.emit('rate-limited', {
        id: job.id,
        lane: this.key,
        model: this.config.model,
        at: now,
        pauseMs: Math.max(pause, budgetWait),
        status: error.status,
      });
    }
    return pause;
  }

  /** The server has been unreachable for `maxOutage`: every waiting call fails, then a fresh start. */
  #giveUp(now: number): void {
    const { provider } = this.config;
    const error = this.#outage.unreachable(provider.baseURL ?? provider.id, now);
    this.#outage.onAnswer();
    for (const job of [...this.#ready.drain(), ...this.#delayed.drain()]) {
      if (job.state === 'waiting') this.#settle(job, finalError(job, error, now));
    }
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
    job.release();
    const { events } = this.config;
    if (outcome instanceof VolleyError) {
      if (events.has('failed')) {
        events.emit('failed', {
          id: job.id,
          lane: this.key,
          model: this.config.model,
          at: this.config.clock.now(),
          error: outcome,
        });
      }
      job.reject(outcome);
    } else {
      if (events.has('finished')) {
        events.emit('finished', {
          id: job.id,
          lane: this.key,
          model: this.config.model,
          at: outcome.timings.finishedAt,
          result: outcome,
        });
      }
      job.resolve(outcome);
    }
    if (--this.#unsettled === 0) {
      this.#deadlines.clear();
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}

/** The caller's `onDelta` for this attempt: each piece says which attempt it belongs to. */
function deltasOf(job: Job): ((text: string) => void) | undefined {
  const onDelta = job.onDelta;
  if (onDelta === undefined) return undefined;
  const attempt = job.attempts;
  return (text) => onDelta(text, attempt);
}
