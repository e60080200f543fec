/** Batch API counters, in `SimulatorStats.batches`. Lines are counted when their batch ends. */
export interface BatchApiStats {
  /** `POST /v1/files` uploads accepted. */
  readonly filesUploaded: number;
  /** Batches created, OpenAI and Anthropic together (a batch that then fails validation included). */
  readonly batchesCreated: number;
  /** Lines answered with a success, and so billed, in every batch that has ended. */
  readonly linesAnswered: number;
  /** Lines answered with an error (a 4xx or 5xx in `response.body`, Anthropic `errored`). */
  readonly linesFailed: number;
  /** Lines a batch never ran: expired or cancelled before their turn. */
  readonly linesNotRun: number;
  /** Lines answered with a success, by batch id. */
  readonly answeredByBatch: Readonly<Record<string, number>>;
  /** Tokens of the lines answered, as billed (at the batch price). */
  readonly promptTokens: number;
  readonly completionTokens: number;
}

type Counter = Exclude<keyof BatchApiStats, 'answeredByBatch'>;

export class BatchCounters {
  #counts = zero();
  #byBatch: Record<string, number> = {};

  count(counter: Counter, by = 1): void {
    this.#counts[counter] += by;
  }

  /** A line of batch `id` answered with a success. */
  answered(id: string, promptTokens: number, completionTokens: number): void {
    this.#counts.linesAnswered++;
    this.#counts.promptTokens += promptTokens;
    this.#counts.completionTokens += completionTokens;
    this.#byBatch[id] = (this.#byBatch[id] ?? 0) + 1;
  }

  snapshot(): BatchApiStats {
    return { ...this.#counts, answeredByBatch: { ...this.#byBatch } };
  }

  reset(): void {
    this.#counts = zero();
    this.#byBatch = {};
  }
}

function zero(): Record<Counter, number> {
  return {
    filesUploaded: 0,
    batchesCreated: 0,
    linesAnswered: 0,
    linesFailed: 0,
    linesNotRun: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
}
