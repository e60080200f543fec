/**
 * The one reducer over a run's events: what `volley status`, the report's totals and cost, and the
 * live bar's rates, 429s and retries all read, so that none of them can disagree. Fed by the file
 * reader (`decode.ts`) for a record on disk and by the live observer for the bar. Constant size
 * apart from the calls open at the moment.
 */
import type { Pricing } from '../pricing/index.js';
import type { CallEvent, LaneState, RunData, Segment } from './events.js';
import { upsert } from './maps.js';
import { RateWindow } from './rate-window.js';

export interface ModelTally {
  readonly model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Of the calls with a price. */
  costUsd: number;
  priced: number;
  /** Calls that billed tokens on a model with no price. */
  unpriced: number;
}

export interface RetryReason {
  readonly code: string;
  readonly status: number | undefined;
  count: number;
}

export class RunTally {
  invocations = 0;
  /**
   * Calls queued, every invocation, less those `interrupted`: a line whose call an invocation cut
   * short is sent again by the next, and counts once.
   */
  calls = 0;
  ok = 0;
  failed = 0;
  /** Requests sent: every attempt of every call. */
  attempts = 0;
  retries = 0;
  rateLimited = 0;
  promptTokens = 0;
  completionTokens = 0;
  /**
   * Calls cut short by the end of their invocation: left open by one that was killed, or
   * cancelled (`aborted`) by one that stopped. Neither answered nor failed: a rerun sends them.
   */
  interrupted = 0;
  readonly failuresByCode = new Map<string, number>();
  readonly retryReasons = new Map<string, RetryReason>();
  /** By the model that answered. */
  readonly byModel = new Map<string, ModelTally>();
  /** Time of the last event, and where the current invocation began, on the run's timeline (ms). */
  lastAt = 0;
  segmentStart = 0;
  readonly requests = new RateWindow();
  readonly tokens = new RateWindow();
  /** Open calls of the current invocation: false while waiting, true in flight. */
  readonly #open = new Map<string, boolean>();
  /** The current invocation's lanes, by the limits each last reported. */
  readonly #limits = new Map<number, { rpm: number | undefined; tpm: number | undefined }>();

  constructor(readonly pricing: Pricing) {}

  segment(segment: Segment): void {
    this.invocations++;
    this.#interrupt(this.#open.size);
    this.#open.clear();
    this.#limits.clear();
    this.segmentStart = segment.offset;
    this.requests.reset(segment.offset);
    this.tokens.reset(segment.offset);
  }

  state(state: LaneState): void {
    this.#limits.set(state.lane, { rpm: state.rpm, tpm: state.tpm });
  }

  event(e: CallEvent): void {
    if (e.at > this.lastAt) this.lastAt = e.at;
    switch (e.type) {
      case 'queued':
        this.calls++;
        this.#open.set(e.id, false);
        return;
      case 'started':
        this.attempts++;
        this.requests.add(e.at);
        this.#open.set(e.id, true);
        return;
      case 'rate-limited':
        this.rateLimited++;
        return;
      case 'retried': {
        this.retries++;
        this.#open.set(e.id, false);
        const key = `${e.code}|${e.status ?? ''}`;
        upsert(this.retryReasons, key, () => ({ code: e.code, status: e.status, count: 0 })).count++;
        return;
      }
      case 'finished': {
        this.ok++;
        this.#open.delete(e.id);
        this.promptTokens += e.promptTokens;
        this.completionTokens += e.completionTokens;
        this.tokens.add(e.at, e.promptTokens + e.completionTokens);
        const m = upsert(this.byModel, e.model, () => newModel(e.model));
        m.calls++;
        m.promptTokens += e.promptTokens;
        m.completionTokens += e.completionTokens;
        if (e.promptTokens + e.completionTokens === 0) return;
        const cost = this.pricing.cost(e.model, e);
        if (cost === undefined) m.unpriced++;
        else {
          m.costUsd += cost;
          m.priced++;
        }
        return;
      }
      case 'failed':
        this.#open.delete(e.id);
        if (e.code === 'aborted') {
          this.#interrupt(1);
          return;
        }
        this.failed++;
        this.failuresByCode.set(e.code, (this.failuresByCode.get(e.code) ?? 0) + 1);
        return;
    }
  }

  #interrupt(calls: number): void {
    this.interrupted += calls;
    this.calls -= calls;
  }

  get inFlight(): number {
    let n = 0;
    for (const flying of this.#open.values()) if (flying) n++;
    return n;
  }

  /** Waiting: queued, held back by a limit, or in a retry's backoff. */
  get queued(): number {
    return this.#open.size - this.inFlight;
  }

  /** Estimated cost of the priced calls; undefined when none had a price. */
  get costUsd(): number | undefined {
    let cost: number | undefined;
    for (const m of this.byModel.values()) if (m.priced > 0) cost = (cost ?? 0) + m.costUsd;
    return cost;
  }

  /** Models that billed tokens but have no price: their cost is missing from `costUsd`. */
  get unpricedModels(): string[] {
    return [...this.byModel.values()]
      .filter((m) => m.unpriced > 0)
      .map((m) => m.model)
      .sort();
  }

  /** The models that answered, most calls first: what the run's header names. */
  get models(): string[] {
    return [...this.byModel.values()].sort((a, b) => b.calls - a.calls).map((m) => m.model);
  }

  /**
   * The limits in force now: the sum over the current invocation's lanes of what each last
   * reported (configured or learned). Unknown while any lane has not reported one.
   */
  get rpmLimit(): number | undefined {
    return this.#sum('rpm');
  }

  get tpmLimit(): number | undefined {
    return this.#sum('tpm');
  }

  #sum(field: 'rpm' | 'tpm'): number | undefined {
    let sum = 0;
    for (const limits of this.#limits.values()) {
      const value = limits[field];
      if (value === undefined) return undefined;
      sum += value;
    }
    return this.#limits.size > 0 ? sum : undefined;
  }
}

function newModel(model: string): ModelTally {
  return { model, calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, priced: 0, unpriced: 0 };
}

/** The tally of a whole run read from its file, every invocation in order. */
export function tallyRun(run: RunData, pricing: Pricing): RunTally {
  const tally = new RunTally(pricing);
  let e = 0;
  let s = 0;
  for (const segment of run.segments) {
    tally.segment(segment);
    for (; s < run.states.length && run.states[s]!.segment === segment.index; s++)
      tally.state(run.states[s]!);
    for (; e < run.events.length && run.events[e]!.segment === segment.index; e++)
      tally.event(run.events[e]!);
  }
  return tally;
}
