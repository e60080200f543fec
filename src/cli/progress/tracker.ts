/**
 * What the progress display shows, from the two tallies every reader of a run uses: the run's
 * (`RunTally`, fed live from the client's events through the recorder's own translation) for
 * requests sent, 429s, retries, rates and the limits in force, and the output records'
 * (`RecordTally`) for done, failures and spend.
 */

import type { Volley } from '../../client/volley.js';
import { Pricing } from '../../pricing/index.js';
import type { RecordTally } from '../../records/tally.js';
import { RunDecoder } from '../../report/decode.js';
import { type Observation, observeRun } from '../../report/observe.js';
import { RECORD_VERSION } from '../../report/record-format.js';
import { RunTally } from '../../report/run-tally.js';

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
  /** This invocation's run tally. */
  readonly run = new RunTally(new Pricing());
  readonly #observation: Observation;
  readonly #startedAt: number;
  #stats: RecordTally | undefined;
  #doneAtStart = 0;

  constructor(
    volley: Pick<Volley, 'on' | 'lanes' | 'options'>,
    private readonly now: () => number,
  ) {
    this.#startedAt = now();
    const decoder = new RunDecoder(false);
    decoder.onSegment = (segment) => this.run.segment(segment);
    decoder.onEvent = (event) => this.run.event(event);
    decoder.onState = (state) => this.run.state(state);
    decoder.record({ e: 'run', v: RECORD_VERSION, at: this.#startedAt, wall: '', meta: {}, limits: {} });
    this.#observation = observeRun(volley, (record) => decoder.record(record), this.#startedAt);
  }

  attach(stats: RecordTally): void {
    this.#stats = stats;
    this.#doneAtStart = stats.done;
  }

  snapshot(): ProgressSnapshot {
    this.#observation.snapshot(); // the limits in force now
    const elapsedMs = this.now() - this.#startedAt;
    const stats = this.#stats;
    const run = this.run;
    const done = stats?.done ?? 0;
    const rate = (done - this.#doneAtStart) / elapsedMs;
    const total = stats?.total;
    return {
      done,
      total,
      inFlight: run.inFlight,
      failed: stats ? stats.counts.failed + stats.counts.invalid + stats.counts.duplicate : 0,
      rateLimited: run.rateLimited,
      retries: run.retries,
      rpm: run.requests.perMinute(elapsedMs),
      tpm: run.tokens.perMinute(elapsedMs),
      rpmLimit: run.rpmLimit,
      tpmLimit: run.tpmLimit,
      costUsd: stats ? stats.costUsd + stats.earlierCostUsd : 0,
      elapsedMs,
      etaMs: total !== undefined && rate > 0 ? Math.max(0, total - done) / rate : undefined,
    };
  }

  dispose(): void {
    this.#observation.stop();
  }
}
