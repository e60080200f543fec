/**
 * What the progress display shows, gathered from the client's events (requests sent, 429s,
 * retries, tokens) and the run's live tally (done, failures, spend).
 */

import type { Volley } from '../../client/volley.js';
import type { RecordTally } from '../../records/tally.js';
import { RateMeter } from './meter.js';

export interface ProgressSnapshot {
  readonly done: number;
  readonly total: number | undefined;
  readonly inFlight: number;
  readonly failed: number;
  readonly rateLimited: number;
  readonly retries: number;
  readonly rpm: number;
  readonly tpm: number;
  readonly rpmLimit: number | undefined;
  readonly tpmLimit: number | undefined;
  readonly costUsd: number;
  readonly elapsedMs: number;
  /** Undefined until there is a rate to go by, or without a total. */
  readonly etaMs: number | undefined;
}

export class ProgressTracker {
  readonly #requests = new RateMeter();
  readonly #tokens = new RateMeter();
  readonly #unsubscribe: Array<() => void>;
  readonly #startedAt: number;
  #stats: RecordTally | undefined;
  #doneAtStart = 0;
  rateLimited = 0;
  retries = 0;

  constructor(
    private readonly volley: Volley,
    private readonly now: () => number,
  ) {
    this.#startedAt = now();
    this.#unsubscribe = [
      volley.on('started', (e) => this.#requests.add(1, e.at)),
      volley.on('finished', (e) => this.#tokens.add(e.result.usage?.totalTokens ?? 0, e.at)),
      volley.on('rate-limited', () => this.rateLimited++),
      volley.on('retried', () => this.retries++),
    ];
  }

  attach(stats: RecordTally): void {
    this.#stats = stats;
    this.#doneAtStart = stats.done;
  }

  snapshot(): ProgressSnapshot {
    const now = this.now();
    const stats = this.#stats;
    const lanes = this.volley.lanes();
    const { rpm, tpm } = this.volley.options;
    const sum = (pick: (l: (typeof lanes)[number]) => number | undefined) =>
      lanes.length > 0 && lanes.every((l) => pick(l) !== undefined)
        ? lanes.reduce((a, l) => a + pick(l)!, 0)
        : undefined;
    const done = stats?.done ?? 0;
    const elapsedMs = now - this.#startedAt;
    const rate = (done - this.#doneAtStart) / elapsedMs;
    const total = stats?.total;
    return {
      done,
      total,
      inFlight: stats?.inFlight ?? 0,
      failed: stats ? stats.counts.failed + stats.counts.invalid + stats.counts.duplicate : 0,
      rateLimited: this.rateLimited,
      retries: this.retries,
      rpm: this.#requests.perMinute(now, this.#startedAt),
      tpm: this.#tokens.perMinute(now, this.#startedAt),
      // A configured limit as the user gave it; a learned one as the lanes aim for it.
      rpmLimit: rpm === undefined ? sum((l) => l.rpm) : rpm * Math.max(1, lanes.length),
      tpmLimit: tpm === undefined ? sum((l) => l.tpm) : tpm * Math.max(1, lanes.length),
      costUsd: stats ? stats.costUsd + stats.earlierCostUsd : 0,
      elapsedMs,
      etaMs: total !== undefined && rate > 0 ? Math.max(0, total - done) / rate : undefined,
    };
  }

  dispose(): void {
    for (const off of this.#unsubscribe) off();
  }
}
