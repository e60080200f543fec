/**
 * The one tally of a run's records: what the live bar shows while it goes, what the summary and
 * `volley status` report. Constant size whatever the input length: counts, sums and the few
 * slowest items.
 */
import { kindOf, type RecordKind, type RunRecord } from './types.js';

export interface SlowItem {
  readonly custom_id: string;
  readonly line: number;
  readonly latency_ms: number;
  readonly queued_ms: number;
  readonly attempts: number;
}

const SLOWEST = 5;

export class RecordTally {
  /** Non-blank input lines, when known in advance (a file); undefined for a stream. */
  total: number | undefined;
  /** Lines read so far in this run. */
  read = 0;
  /** What earlier runs finished, from the journal. */
  readonly earlier: Readonly<Record<RecordKind, number>>;
  readonly #earlier: Record<RecordKind, number>;
  readonly earlierCostUsd: number;
  /** Records finished in this run, by kind. */
  readonly counts: Record<RecordKind, number> = { ok: 0, failed: 0, invalid: 0, duplicate: 0 };
  readonly failuresByCode = new Map<string, number>();
  /** Calls sent to the client and not yet finished. */
  inFlight = 0;
  /** Calls that were sent but cancelled when the run stopped: they are not done. */
  unfinished = 0;
  /** Records the response cache answered, without a call. */
  cached = 0;
  /** Requests the records took, retries included. */
  attempts = 0;
  promptTokens = 0;
  completionTokens = 0;
  costUsd = 0;
  /** Models that answered but have no price: their cost is missing from `costUsd`. */
  readonly unpriced = new Set<string>();
  /** Clock times (ms) of the run's start and of the last finished record. */
  readonly startedAt: number;
  lastDoneAt: number;
  readonly slowest: SlowItem[] = [];

  constructor(
    now: number,
    earlier?: { readonly counts: Readonly<Record<RecordKind, number>>; readonly costUsd: number },
  ) {
    this.startedAt = now;
    this.lastDoneAt = now;
    this.#earlier = earlier ? { ...earlier.counts } : { ok: 0, failed: 0, invalid: 0, duplicate: 0 };
    this.earlier = this.#earlier;
    this.earlierCostUsd = earlier?.costUsd ?? 0;
  }

  /** Records done, earlier runs included: the numerator of done/total. */
  get done(): number {
    const { counts: c, earlier: e } = this;
    return c.ok + c.failed + c.invalid + c.duplicate + e.ok + e.failed + e.invalid + e.duplicate;
  }

  /** Calls that ended in this run, answered or failed (cache hits made none). */
  get calls(): number {
    return this.counts.ok + this.counts.failed - this.cached;
  }

  /** An earlier run's record left the output: its line was sent again, or is no longer in the input. */
  forget(kind: RecordKind): void {
    this.#earlier[kind]--;
  }

  record(record: RunRecord, now: number): void {
    const kind = kindOf(record);
    this.counts[kind]++;
    this.lastDoneAt = now;
    this.attempts += record.attempts;
    if (record.cached === true) this.cached++;
    if (kind === 'failed') {
      const code = record.error!.code;
      this.failuresByCode.set(code, (this.failuresByCode.get(code) ?? 0) + 1);
    }
    if (record.usage) {
      this.promptTokens += record.usage.prompt_tokens;
      this.completionTokens += record.usage.completion_tokens;
      if (record.cost_usd === null && record.model) this.unpriced.add(record.model);
    }
    this.costUsd += record.cost_usd ?? 0;
    if (kind === 'ok' && record.latency_ms !== null && !record.cached) this.#noteLatency(record);
  }

  #noteLatency(record: RunRecord): void {
    const latency = record.latency_ms!;
    const slowest = this.slowest;
    if (slowest.length === SLOWEST && latency <= slowest[SLOWEST - 1]!.latency_ms) return;
    const item: SlowItem = {
      custom_id: record.custom_id,
      line: record.line,
      latency_ms: latency,
      queued_ms: record.queued_ms ?? 0,
      attempts: record.attempts,
    };
    let at = slowest.findIndex((s) => s.latency_ms < latency);
    if (at < 0) at = slowest.length;
    slowest.splice(at, 0, item);
    if (slowest.length > SLOWEST) slowest.pop();
  }
}
