/**
 * The adaptive concurrency cap of a lane: additive increase while the cap is what holds calls back
 * and answers stay fast; multiplicative decrease on overload (a 429 no bucket explains, or latency
 * well above its baseline). It starts in slow start (+1 per success, doubling per round trip) and
 * switches to +1/cap per success after the first decrease. Two shortcuts skip the slow climb: a
 * blind doubling every 500 ms before the server has answered at all, and a jump to rate × latency
 * once both are known.
 */
export interface ConcurrencyOptions {
  /** Cap at start. */
  readonly initial: number;
  /** Highest cap it may reach. */
  readonly max: number;
  /** When false the cap never grows past `initial` (a configured concurrency). */
  readonly grow: boolean;
}

/** Latency this many times the baseline counts as overload. */
const LATENCY_OVERLOAD = 2;
/** While nothing has come back from the server, the cap doubles this often (ms). */
const PROBE_MS = 500;
/** Slack over rate × latency, for latency spread: slower calls must not starve the budget. */
const LITTLE_MARGIN = 1.5;

export class ConcurrencyLimit {
  #limit: number;
  #slowStart = true;
  #saturated = false;
  #fastLatency: number | undefined;
  #baseline: number | undefined;
  #lastDecrease = Number.NEGATIVE_INFINITY;
  #answered = false;
  #nextProbeAt: number | undefined;

  constructor(readonly options: ConcurrencyOptions) {
    this.#limit = options.initial;
  }

  /** Calls that may be in flight at once now. */
  get value(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /**
   * The cap held a call back: growth is warranted if answers stay healthy. When the request budget
   * is known (`ratePerMs`), the cap needed to keep it busy is known too (Little's law: rate ×
   * latency), and the cap goes there at once instead of one step per answer, which at a 4 s
   * latency would take many round trips. Before anything has come back from the server, the cap
   * doubles every `PROBE_MS`: an unknown server is probed, and a 429 would come back at once with
   * the limits. Returns when to look again for the next doubling, if one is due.
   */
  markSaturated(ratePerMs: number, now: number): number | undefined {
    this.#saturated = true;
    if (!this.options.grow) return undefined;
    if (this.#fastLatency !== undefined) {
      const needed = Math.min(this.options.max, ratePerMs * this.#fastLatency * LITTLE_MARGIN);
      if (needed > this.#limit) this.#limit = needed;
      return undefined;
    }
    if (this.#answered) return undefined;
    this.#nextProbeAt ??= now + PROBE_MS;
    if (now >= this.#nextProbeAt) {
      this.#limit = Math.min(this.options.max, this.#limit * 2);
      this.#nextProbeAt = now + PROBE_MS;
    }
    return this.#nextProbeAt;
  }

  /** The server answered (a success or an error status): probing in the dark is over. */
  onAnswer(): void {
    this.#answered = true;
  }

  onSuccess(latencyMs: number, now: number): void {
    this.#fastLatency =
      this.#fastLatency === undefined ? latencyMs : this.#fastLatency * 0.8 + latencyMs * 0.2;
    // The baseline follows the best recent latency, drifting up slowly so it can adapt to longer answers.
    this.#baseline = Math.min(this.#baseline ?? latencyMs, this.#fastLatency) * 1.002;
    if (this.#fastLatency > LATENCY_OVERLOAD * this.#baseline) {
      this.decrease(0.9, now, latencyMs);
      return;
    }
    if (!this.#saturated) return;
    this.#saturated = false;
    const ceiling = this.options.grow ? this.options.max : this.options.initial;
    this.#limit = Math.min(ceiling, this.#limit + (this.#slowStart ? 1 : 1 / this.#limit));
  }

  /** Overload: cut the cap by `factor`, at most once per `window` ms so one burst counts once. */
  decrease(factor: number, now: number, window: number): void {
    if (now - this.#lastDecrease < window) return;
    this.#lastDecrease = now;
    this.#slowStart = false;
    this.#limit = Math.max(1, this.#limit * factor);
  }
}
