/**
 * The adaptive concurrency cap of a lane: additive increase while the cap is what holds calls back
 * and answers stay fast; multiplicative decrease on overload (a 429 no budget explains, or latency
 * well above its baseline). It starts in slow start (+1 per success, doubling per round trip) and
 * switches to +1/cap per success after the first decrease or the first sign of queueing. Two
 * shortcuts skip the slow climb: a probe that grows the cap every `PROBE_STEP_MS` before the
 * server has answered at all, and, once the request rate is known, the cap that rate needs
 * (rate × latency, Little's law). Growth pauses while the latency has risen well above its floor:
 * the calls added only queue; and past 64 while this process's own event loop is busy: the client
 * is then what limits, and a cap already past 64 comes back down to it.
 *
 * A configured concurrency is fixed: it neither grows nor shrinks (`grow: false`).
 */
export interface ConcurrencyOptions {
  /** Cap at start. */
  readonly initial: number;
  /** Highest cap it may reach. */
  readonly max: number;
  /** False for a configured cap: it stays at `initial` whatever happens. */
  readonly grow: boolean;
  /**
   * This process's event-loop load, 0 to 1 (`Clock.loopLoad`); none reads as idle.
   * @default () => 0
   */
  readonly loopLoad?: () => number;
  /**
   * The loop's load since the previous call (`Clock.loopMeter`); none reads as idle.
   * @default () => 0
   */
  readonly loopMeter?: () => number;
}

/** Latency this many times the baseline counts as overload... */
const LATENCY_OVERLOAD = 2;
/**
 * ...when it is also this many ms above it. A server that queues calls adds hundreds of ms; tens of
 * ms over a fast baseline are the client's own event loop on a busy machine, and cutting the cap
 * for them starved a zero-latency server down to one call in flight.
 */
const LATENCY_OVERLOAD_MIN_MS = 250;
/**
 * While nothing has come back from the server, the cap grows every this many ms: by one call, or a
 * sixteenth once past 16 (doubling about every 110 ms). An answer takes a latency, but a 429 comes
 * back soon with the limits in its headers, so a gentle probe finds an unknown server's burst
 * with a 429 or two, where doubling per step would overshoot it by a factor. It grows per step
 * taken, not per time elapsed, so an event loop blocked for a second does not release a flood.
 * Spreading the burst costs nothing: once the first calls have taken from the server's bucket it
 * refills, and the probe drains it faster than it refills.
 *
 * "Soon" is the server's time to get through the first calls, not the network's: the simulator
 * over local HTTP took 15-20 ms to answer the first eight (it counts every prompt's tokens), and a
 * 429 took 10 ms more to come out of the SDK's cold error path. Every step inside that window is a
 * 429: the first 30 lines of the tokens-bound bench (a burst of about five) met 3-4 of them at
 * 5 ms (five runs), 2-3 at 10 ms (seven runs). The latency-bound scenario, where the probe must
 * climb to a burst of 50 before a 4 s latency has passed, ended no later (its first 600 items:
 * 18.56-18.59 s at 10 ms, 18.57-18.60 s at 5).
 */
const PROBE_STEP_MS = 10;
/**
 * A probe step does not grow the cap while the loop was busier than this since the step before:
 * the calls already let go are then still being put on the wire, not waiting for the server. A cold
 * client (SDK and HTTP code not yet compiled) took 130 ms to send its first eight calls, and a probe
 * growing meanwhile sent nine more into a burst that held five.
 */
const PROBE_BUSY = 0.5;
/**
 * Growth one success at a time pauses while the latency is this many times its floor and this many
 * ms above it. Throughput is cap / latency: a latency that rises with the cap means the calls added
 * only wait, in the server's queue or, against a zero-latency server, in this process's own event
 * loop, where 512 in flight ran 30% slower than 256 for the garbage they keep alive. A slower
 * server is judged by the ratio, a fast one by the ms, so that its jitter does not stop the climb.
 */
const QUEUEING_RATIO = 2;
const QUEUEING_MIN_MS = 25;
/** The floor rises to meet the latency by doubling per this many ms: a server slower for good is followed. */
const FLOOR_DOUBLING_MS = 60_000;
/** Slack over rate × latency, for latency spread: slower calls must not starve the budget. */
const LITTLE_MARGIN = 1.5;
/**
 * Once the server has answered, the cap stops growing while this process's event loop is busier
 * than this. The client is then the bottleneck: more calls in flight add no answers per second,
 * only latency spent waiting for the loop, and that latency fed back into rate × latency raised the
 * cap further: to 512 in flight against a zero-latency server, where a call cost about 35% more CPU
 * than at 256 for the garbage it kept alive.
 */
const LOOP_BUSY = 0.9;
/**
 * With the loop busy, the cap still grows to this: fewer calls in flight lose more to the cost of
 * each dispatch than these keep alive. Against a zero-latency server (20,000 calls through the SDK,
 * warm): 8 in flight 6,135 calls/s, 16 6,253, 64 6,867.
 */
const LOOP_BUSY_FLOOR = 64;
/**
 * A cap past `LOOP_BUSY_FLOOR` while the loop is busy shrinks by this factor per success, to that
 * floor. It got there before the first answer: the rate × latency jump goes to the burst, and a
 * tokens budget far above what this process can send has a burst that never binds (10^9 TPM took
 * the cap to 512 at once). The engine hands over the cap and half again, so every call it allows
 * beyond what the loop can serve only waits, holding memory: 1,000,000 lines through the echo
 * provider peaked at 177-181 MB RSS with the cap at 512, 137 MB with it back at 64, and ran faster.
 */
const LOOP_BUSY_SHRINK = 0.99;

export class ConcurrencyLimit {
  #limit: number;
  #slowStart = true;
  /**
   * Successes that may grow the cap: the cap held a call back. In slow start a round's worth (the
   * cap), so that it doubles per round trip however many answers one look at the queue covers; after
   * the first decrease, one.
   */
  #saturated = 0;
  #fastLatency: number | undefined;
  #baseline: number | undefined;
  /** The fastest the latency has been (its moving average), rising slowly; see `QUEUEING_RATIO`. */
  #floor: number | undefined;
  #floorAt = 0;
  #lastDecrease = Number.NEGATIVE_INFINITY;
  #answered = false;
  #startedAt: number | undefined;
  #nextProbeAt = 0;

  constructor(readonly options: ConcurrencyOptions) {
    this.#limit = options.initial;
  }

  /** Calls that may be in flight at once now. */
  get value(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /**
   * The cap held a call back: growth is warranted if answers stay healthy. When the request budget
   * is known (`ratePerMs`, with a `burst` of calls it may send at once), the cap needed to keep it
   * busy is known too: rate × latency plus the burst, where the latency is the one seen or, before
   * the first answer, at least the time waited so far. The cap goes there at once instead of one
   * step per answer, which at a 4 s latency would take many round trips. Before anything has come
   * back from the server, the cap grows a step every `PROBE_STEP_MS`. Returns when to look again,
   * if the cap may grow by then.
   */
  markSaturated(ratePerMs: number, burst: number, now: number): number | undefined {
    this.#saturated = this.#slowStart ? this.value : 1;
    if (!this.options.grow) return undefined;
    this.#startedAt ??= now;
    if (ratePerMs > 0) {
      const latency = this.#fastLatency ?? now - this.#startedAt;
      const room = this.#answered ? this.#room() : this.options.max;
      const needed = Math.min(room, ratePerMs * latency * LITTLE_MARGIN + burst);
      if (needed > this.#limit) this.#limit = needed;
      return this.#fastLatency === undefined ? now + PROBE_STEP_MS : undefined;
    }
    if (this.#answered) return undefined;
    if (now >= this.#nextProbeAt) {
      const busy = (this.options.loopMeter?.() ?? 0) > PROBE_BUSY;
      if (this.#nextProbeAt > 0 && !busy)
        this.#limit = Math.min(this.options.max, this.#limit + Math.max(1, this.#limit / 16));
      this.#nextProbeAt = now + PROBE_STEP_MS;
    }
    return this.#limit < this.options.max ? this.#nextProbeAt : undefined;
  }

  /** The server answered (a success or an error status): probing in the dark is over. */
  onAnswer(): void {
    this.#answered = true;
  }

  onSuccess(latencyMs: number, now: number): void {
    this.#fastLatency =
      this.#fastLatency === undefined ? latencyMs : this.#fastLatency * 0.8 + latencyMs * 0.2;
    if (!this.options.grow) return;
    if (this.#limit > LOOP_BUSY_FLOOR && this.#loopBusy())
      this.#limit = Math.max(LOOP_BUSY_FLOOR, this.#limit * LOOP_BUSY_SHRINK);
    // The baseline follows the best recent latency, drifting up slowly so it can adapt to longer answers.
    this.#baseline = Math.min(this.#baseline ?? latencyMs, this.#fastLatency) * 1.002;
    const risen = this.#floor === undefined ? 1 : 2 ** ((now - this.#floorAt) / FLOOR_DOUBLING_MS);
    this.#floor = Math.min((this.#floor ?? latencyMs) * risen, this.#fastLatency);
    this.#floorAt = now;
    if (
      this.#fastLatency > LATENCY_OVERLOAD * this.#baseline &&
      this.#fastLatency - this.#baseline > LATENCY_OVERLOAD_MIN_MS
    ) {
      this.decrease(0.9, now, latencyMs);
      return;
    }
    if (this.#saturated === 0) return;
    this.#saturated--;
    if (
      this.#fastLatency > QUEUEING_RATIO * this.#floor &&
      this.#fastLatency - this.#floor > QUEUEING_MIN_MS
    ) {
      // Queueing ends slow start, as a rising round trip ends TCP's (HyStart): a dip in latency
      // would otherwise double the cap again in one round, past where answers stopped coming faster.
      this.#slowStart = false;
      return;
    }
    this.#limit = Math.min(this.#room(), this.#limit + (this.#slowStart ? 1 : 1 / this.#limit));
  }

  /** The most the cap may grow to now: see `LOOP_BUSY`. */
  #room(): number {
    if (!this.#loopBusy()) return this.options.max;
    return Math.min(this.options.max, Math.max(this.#limit, LOOP_BUSY_FLOOR));
  }

  #loopBusy(): boolean {
    return (this.options.loopLoad?.() ?? 0) > LOOP_BUSY;
  }

  /** Overload: cut the cap by `factor`, at most once per `window` ms so one burst counts once. */
  decrease(factor: number, now: number, window: number): void {
    if (!this.options.grow || now - this.#lastDecrease < window) return;
    this.#lastDecrease = now;
    this.#slowStart = false;
    this.#limit = Math.max(1, this.#limit * factor);
  }
}
