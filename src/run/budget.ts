/**
 * `--max-cost` and `--max-tokens` cap the whole run, every invocation included: what earlier
 * invocations spent (superseded records too) is where this one starts. Before an item is handed
 * to the executor, what it is expected to cost is reserved; the expectation comes from the
 * answers seen so far (tokens per prompt character, the mean answer length, the mean cost of a
 * record), not from the worst case, so a budget is spent to close to its limit. An item that does
 * not fit waits while items in flight may leave room, and stops the run once none are.
 */
import type { AnswerStats, Spend } from './journal/state.js';
import type { Prices, PriceTier, SizeHint } from './types.js';

export interface BudgetLimits {
  /** US dollars for the whole run, as estimated from the price table. */
  readonly maxCostUsd?: number | undefined;
  /** Prompt plus completion tokens for the whole run. */
  readonly maxTokens?: number | undefined;
}

export interface Reservation {
  readonly tokens: number;
  readonly usd: number;
}

export type Admission = 'go' | 'wait' | 'stop';

/** Characters per prompt token assumed before any answer has said. */
const CHARS_PER_TOKEN = 4;

export class RunBudget {
  readonly #reserved = new Map<number, Reservation>();
  #reservedTokens = 0;
  #reservedUsd = 0;
  /** Prompt characters of this invocation's answered items, to learn tokens per character. */
  #chars = 0;
  #charTokens = 0;
  /** Which limit stopped new items, once one has. */
  reached: 'cost' | 'tokens' | undefined;

  constructor(
    readonly limits: BudgetLimits,
    /** Spend so far, every invocation included; it grows as records are committed. */
    readonly spent: Spend,
    /** The answers so far, every invocation included. */
    private readonly answers: AnswerStats,
    private readonly pricing: Prices,
    private readonly tier: PriceTier,
    /** Completion tokens assumed before any answer has said. */
    private readonly outputTokens: number,
  ) {}

  get active(): boolean {
    return this.limits.maxCostUsd !== undefined || this.limits.maxTokens !== undefined;
  }

  /** What an item is expected to cost; undefined when nothing is known yet (a flow before its first answer). */
  expect(size: SizeHint | undefined): Reservation | undefined {
    const { answers } = this;
    if (size === undefined) {
      if (answers.answers === 0) return undefined;
      return {
        tokens: (answers.promptTokens + answers.completionTokens) / answers.answers,
        usd: answers.usd / answers.answers,
      };
    }
    // Tokens per character once this invocation's answers say; else an earlier invocation's mean prompt.
    const prompt =
      this.#chars > 0
        ? Math.ceil((size.promptChars * this.#charTokens) / this.#chars)
        : answers.answers > 0
          ? Math.ceil(answers.promptTokens / answers.answers)
          : Math.ceil(size.promptChars / CHARS_PER_TOKEN);
    const typical = answers.answers > 0 ? answers.completionTokens / answers.answers : this.outputTokens;
    const completion = Math.ceil(Math.min(typical, size.maxOutputTokens ?? typical));
    return {
      tokens: prompt + completion,
      usd:
        this.pricing.cost(size.model, { promptTokens: prompt, completionTokens: completion }, this.tier) ?? 0,
    };
  }

  /** Reserves what item `seq` is expected to cost, or says to wait for room, or to stop. */
  admit(seq: number, size: SizeHint | undefined): Admission {
    if (!this.active) return 'go';
    if (this.reached) return 'stop';
    const expected = this.expect(size);
    // Nothing known yet of what an answer costs: one item at a time until an answer says, and
    // only its prompt (the part that is known) must fit.
    if (expected === undefined || this.answers.answers === 0) {
      if (this.#reserved.size > 0) return 'wait';
      const output =
        size === undefined ? 0 : Math.min(this.outputTokens, size.maxOutputTokens ?? this.outputTokens);
      const prompt = Math.max(0, (expected?.tokens ?? 0) - Math.ceil(output));
      const usd =
        size === undefined
          ? 0
          : (this.pricing.cost(size.model, { promptTokens: prompt, completionTokens: 0 }, this.tier) ?? 0);
      this.reached = this.#over({ tokens: prompt, usd }, false);
      return this.reached ? 'stop' : this.#take(seq, expected ?? { tokens: 0, usd: 0 });
    }
    const alone = this.#over(expected, false);
    if (alone) {
      // Even alone it would not fit; items in flight may still come in cheaper than expected.
      if (this.#reserved.size > 0) return 'wait';
      this.reached = alone;
      return 'stop';
    }
    return this.#over(expected, true) ? 'wait' : this.#take(seq, expected);
  }

  /** The limit `cost` would cross on top of what is spent (and reserved), if any. */
  #over(cost: Reservation, withReserved: boolean): 'tokens' | 'cost' | undefined {
    const { maxCostUsd, maxTokens } = this.limits;
    const tokens = this.spent.tokens + (withReserved ? this.#reservedTokens : 0) + cost.tokens;
    if (maxTokens !== undefined && tokens > maxTokens) return 'tokens';
    const usd = this.spent.usd + (withReserved ? this.#reservedUsd : 0) + cost.usd;
    if (maxCostUsd !== undefined && usd > maxCostUsd) return 'cost';
    return undefined;
  }

  /** Item `seq` ended: its reservation goes, and what it used is in `spent` already (the commit adds it). */
  settle(seq: number, promptChars?: number, promptTokens?: number): void {
    const reservation = this.#reserved.get(seq);
    if (reservation) {
      this.#reserved.delete(seq);
      this.#reservedTokens -= reservation.tokens;
      this.#reservedUsd -= reservation.usd;
    }
    if (promptChars !== undefined && promptTokens !== undefined && promptChars > 0) {
      this.#chars += promptChars;
      this.#charTokens += promptTokens;
    }
  }

  #take(seq: number, reservation: Reservation): Admission {
    this.#reserved.set(seq, reservation);
    this.#reservedTokens += reservation.tokens;
    this.#reservedUsd += reservation.usd;
    return 'go';
  }
}
