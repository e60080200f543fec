/**
 * What happens to each line that is read: skipped (done or reported by an earlier run), reported
 * (bad input, a repeated custom_id), held back by the budget, or sent as a call whose answer or
 * failure becomes its record. A bad key or an unknown model is not a record: it stops the run.
 */
import { asVolleyError, type Volley } from '../client/volley.js';
import type { VolleyError } from '../errors.js';
import type { RecordTally } from '../records/tally.js';
import { stopsLane } from '../retry/decide.js';
import { type Budget, type Estimate, estimate } from './budget.js';
import type { CallSet } from './calls.js';
import type { Committer } from './commit.js';
import { IdSet } from './id-set.js';
import type { BatchItem, ParsedLine } from './input.js';
import type { JournalState } from './journal-state.js';
import type { Pricing } from './pricing.js';
import { duplicateRecord, failureRecord, problemRecord, resultRecord } from './records.js';

export interface DispatchParts {
  readonly volley: Volley;
  readonly state: JournalState;
  readonly stats: RecordTally;
  readonly budget: Budget;
  readonly pricing: Pricing;
  readonly calls: CallSet;
  readonly committer: Committer;
  readonly stop: (reason: 'budget' | 'fatal', error?: VolleyError) => void;
}

export class Dispatcher {
  readonly #seen = new IdSet();
  readonly #defaultModel: string | null;
  /** Completion tokens of a typical answer, for budget estimates of lines without max_tokens. */
  #typicalOutput: number;

  constructor(private readonly parts: DispatchParts) {
    this.#defaultModel = parts.volley.options.model ?? null;
    this.#typicalOutput = parts.volley.options.outputTokens;
  }

  take(line: number, parsed: ParsedLine): void {
    const { state, stats, committer } = this.parts;
    stats.read++;
    const id = 'item' in parsed ? parsed.item.customId : parsed.problem.customId;
    if (state.reported.has(line)) {
      if (id !== undefined) this.#seen.add(id);
      return; // reported by an earlier run
    }
    if ('problem' in parsed) {
      if (id !== undefined) this.#seen.add(id);
      committer.commit(committer.open(), problemRecord(parsed.problem));
      return;
    }
    const { item } = parsed;
    const model = item.request.model ?? this.#defaultModel;
    if (!this.#seen.add(item.customId)) {
      committer.commit(committer.open(), duplicateRecord(line, item.customId, model));
      return;
    }
    if (state.done.has(item.customId)) return; // finished by an earlier run
    let cost: Estimate | undefined;
    if (this.parts.budget.active) {
      cost = estimate(item.request, model ?? '', Math.round(this.#typicalOutput), this.parts.pricing);
      if (!this.parts.budget.admit(cost)) {
        this.parts.stop('budget');
        return;
      }
    }
    this.#send(committer.open(), item, model, cost);
  }

  #send(seq: number, item: BatchItem, model: string | null, cost: Estimate | undefined): void {
    const { volley, stats, budget, pricing, calls, committer } = this.parts;
    const { line, customId } = item;
    stats.inFlight++;
    const slot = calls.begin(customId);
    volley.complete(item.request, { id: customId, signal: calls.signal(slot) }).then(
      (result) => {
        calls.end(slot);
        stats.inFlight--;
        const usage = result.usage;
        if (usage) this.#typicalOutput = this.#typicalOutput * 0.9 + usage.completionTokens * 0.1;
        const usd = pricing.usageCost(result.model, usage);
        if (cost) budget.settle(cost, { tokens: usage?.totalTokens ?? 0, costUsd: usd ?? 0 });
        committer.commit(seq, resultRecord(line, customId, result, usd));
      },
      (thrown: unknown) => {
        calls.end(slot);
        stats.inFlight--;
        if (cost) budget.settle(cost, { tokens: 0, costUsd: 0 });
        const error = asVolleyError(thrown);
        if (error.code !== 'aborted' && !stopsLane(error)) {
          committer.commit(seq, failureRecord(line, customId, model, error));
          return;
        }
        // Not done: a rerun sends it again. A bad key or an unknown model stops the whole run.
        if (error.code !== 'aborted') this.parts.stop('fatal', error);
        stats.unfinished++;
        committer.abandon(seq);
      },
    );
  }
}
