/**
 * What a journal says earlier runs finished: a compact set of done custom_ids, the line numbers
 * already reported as bad, and the counts and spend so far. Replaying it also rewrites the output
 * and errors files, so that they hold every acknowledged record whatever a crash cut short.
 */
import { readLog } from '../journal/append-log.js';
import { kindOf, type OutputRecord, type RecordKind } from '../records/types.js';
import { BatchError } from './errors.js';
import { BitSet, IdSet } from './id-set.js';
import type { JournalHeader } from './journal.js';
import type { LineFile } from './line-file.js';

/** What earlier runs finished, as far as this run needs to know. */
export interface JournalState {
  /** custom_ids with an answer or a failed call: not sent again. */
  readonly done: IdSet;
  /** Lines already reported as bad input or a repeated custom_id. */
  readonly reported: BitSet;
  readonly counts: Record<RecordKind, number>;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export function emptyState(): JournalState {
  return {
    done: new IdSet(),
    reported: new BitSet(),
    counts: { ok: 0, failed: 0, invalid: 0, duplicate: 0 },
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
}

export function addToState(state: JournalState, record: OutputRecord): void {
  const kind = kindOf(record);
  state.counts[kind]++;
  if (kind === 'ok' || kind === 'failed') state.done.add(record.custom_id);
  else state.reported.add(record.line);
  state.promptTokens += record.usage?.prompt_tokens ?? 0;
  state.completionTokens += record.usage?.completion_tokens ?? 0;
  state.costUsd += record.cost_usd ?? 0;
}

/** Reads what the journal holds and rewrites the output (and errors) files from it. */
export async function replayJournal(
  path: string,
  out: LineFile,
  errors: LineFile | undefined,
): Promise<JournalState> {
  const state = emptyState();
  let lineNo = 0;
  try {
    for await (const entry of readLog<OutputRecord | JournalHeader>(path)) {
      lineNo++;
      if ('journal' in entry) continue;
      addToState(state, entry);
      const text = JSON.stringify(entry);
      out.write(text);
      if (entry.error !== null) errors?.write(text);
      if (out.backlog > 4 * 1024 * 1024) await out.flush();
    }
  } catch (error) {
    throw new BatchError(
      'journal_corrupt',
      `The journal ${path} is damaged at record ${lineNo + 1} (${(error as Error).message}). ` +
        'Move it aside and rerun with --force to start over.',
    );
  }
  return state;
}
