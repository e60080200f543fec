/** Where a run's files go: `results.jsonl` → `results.errors.jsonl` and `results.journal.jsonl`. */

export interface BatchPaths {
  readonly out: string;
  /** The output's name without its extension: other files of the run are named after it. */
  readonly stem: string;
  readonly errors: string | undefined;
  readonly journal: string | undefined;
}

export function batchPaths(out: string, errors?: string | false, journal?: string | false): BatchPaths {
  const stem = out.replace(/\.(jsonl|ndjson|json)$/i, '');
  return {
    out,
    stem,
    errors: errors === false ? undefined : (errors ?? `${stem}.errors.jsonl`),
    journal: journal === false ? undefined : (journal ?? `${stem}.journal.jsonl`),
  };
}
