import { type BatchApiStats, BatchCounters } from './batch/stats.js';
import { FAULT_KINDS, type FaultKind } from './options.js';

/** Counters since the simulator started or since the last `resetStats()`. */
export interface SimulatorStats {
  /** Chat completion requests received, whatever became of them. */
  readonly requests: number;
  /** Answers delivered (a 200 with a well-formed body, or a stream that started). */
  readonly successes: number;
  /** Successes for a model + messages that had already succeeded: the calls paid for twice. */
  readonly duplicateSuccesses: number;
  /**
   * Answers paid for a request already paid on any route (chat, Anthropic messages, batch lines):
   * what the server billed twice. 0 means nothing was paid twice.
   */
  readonly duplicatePaid: number;
  /** 429s for the rpm/tpm limits (not for quota). */
  readonly rateLimited: number;
  readonly rateLimitedOn: { readonly requests: number; readonly tokens: number };
  /** Injected faults by kind, and their total. */
  readonly faults: Readonly<Record<FaultKind | 'total', number>>;
  readonly badRequests: number;
  readonly unauthorized: number;
  readonly modelNotFound: number;
  readonly quotaExhausted: number;
  readonly contextLengthExceeded: number;
  /** 429s for a request larger than the token bucket holds, sent with `x-should-retry: false`. */
  readonly requestTooLarge: number;
  /** Requests whose client went away (aborted) before the answer was complete. */
  readonly aborted: number;
  /** Chat requests being handled now, including streams still sending. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Tokens of the successes, as billed. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Files, batches and batch lines (`src/simulator/batch`). */
  readonly batches: BatchApiStats;
}

type Counter = Exclude<
  keyof SimulatorStats,
  'rateLimitedOn' | 'faults' | 'inFlight' | 'maxInFlight' | 'batches'
>;

export class StatsRecorder {
  #counts = zeroCounts();
  #rateLimitedOn = { requests: 0, tokens: 0 };
  #faults = zeroFaults();
  #inFlight = 0;
  #maxInFlight = 0;
  // Digests only: the prompts themselves are not kept around.
  #succeeded = new Set<string>();
  readonly batches = new BatchCounters();

  count(counter: Counter): void {
    this.#counts[counter]++;
  }

  begin(): void {
    this.#counts.requests++;
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
  }

  end(): void {
    this.#inFlight--;
  }

  rateLimited(limit: 'requests' | 'tokens'): void {
    this.#counts.rateLimited++;
    this.#rateLimitedOn[limit]++;
  }

  fault(kind: FaultKind): void {
    this.#faults[kind]++;
    this.#faults.total++;
  }

  success(key: string, promptTokens: number, completionTokens: number): void {
    this.#counts.successes++;
    if (this.paid(key)) this.#counts.duplicateSuccesses++;
    this.#counts.promptTokens += promptTokens;
    this.#counts.completionTokens += completionTokens;
  }

  /** Notes an answer paid on any route; true when the same request had been paid before. */
  paid(key: string): boolean {
    if (!this.#succeeded.has(key)) {
      this.#succeeded.add(key);
      return false;
    }
    this.#counts.duplicatePaid++;
    return true;
  }

  snapshot(): SimulatorStats {
    return {
      ...this.#counts,
      rateLimitedOn: { ...this.#rateLimitedOn },
      faults: { ...this.#faults },
      inFlight: this.#inFlight,
      maxInFlight: this.#maxInFlight,
      batches: this.batches.snapshot(),
    };
  }

  /** Zeroes the counters and forgets past successes; requests still in flight stay counted as such. */
  reset(): void {
    this.#counts = zeroCounts();
    this.#rateLimitedOn = { requests: 0, tokens: 0 };
    this.#faults = zeroFaults();
    this.#maxInFlight = this.#inFlight;
    this.#succeeded.clear();
    this.batches.reset();
  }
}

function zeroCounts(): Record<Counter, number> {
  return {
    requests: 0,
    successes: 0,
    duplicateSuccesses: 0,
    duplicatePaid: 0,
    rateLimited: 0,
    badRequests: 0,
    unauthorized: 0,
    modelNotFound: 0,
    quotaExhausted: 0,
    contextLengthExceeded: 0,
    requestTooLarge: 0,
    aborted: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
}

function zeroFaults(): Record<FaultKind | 'total', number> {
  const faults = { total: 0 } as Record<FaultKind | 'total', number>;
  for (const kind of FAULT_KINDS) faults[kind] = 0;
  return faults;
}
