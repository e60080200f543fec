/**
 * A run journal for readers outside the engine (`volley status`): the records the output holds
 * now (the last one of each key, superseded and dropped ones left out), each as the fields a
 * tally reads, and when the run was created. Two passes over the file, so a million records
 * need no Map of objects.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { RunRecord } from '../../records/types.js';
import { entryType, type IndexEntry, type RecordMeta, splitRecordLine } from './entries.js';
import { replayJournal } from './replay.js';

export function readJournalRecords(path: string): {
  createdAt: string;
  /** Times the run was started: one segment each. */
  invocations: number;
  records: RunRecord[];
  /** What the executors noted (a Batch API run's batches), every executor's, in order. */
  executorEntries: unknown[];
} {
  const { header, state, segments, executorEntries } = replayJournal(path);
  const records: RunRecord[] = [];
  const fd = openSync(path, 'r');
  try {
    for (let slot = 0; slot < state.size; slot++) {
      if (!state.isLive(slot)) continue;
      const { at, length } = state.location(slot);
      if (length === 0) continue;
      const line = Buffer.alloc(length);
      readSync(fd, line, 0, length, at);
      const meta: RecordMeta =
        entryType(line) === 'r'
          ? splitRecordLine(line).meta
          : (JSON.parse(line.toString('utf8')) as IndexEntry);
      records.push(lineOf(meta));
    }
  } finally {
    closeSync(fd);
  }
  return {
    createdAt: header.created_at,
    invocations: segments.length,
    records,
    executorEntries: executorEntries.map((entry) => entry.e),
  };
}

/** The record as its summary knows it: what a tally reads (no answer, no latency). */
function lineOf(meta: RecordMeta): RunRecord {
  const code =
    meta.s === 'ok'
      ? undefined
      : meta.s === 'failed'
        ? (meta.e ?? 'unexpected')
        : meta.s === 'invalid'
          ? 'invalid_input'
          : 'duplicate_custom_id';
  return {
    custom_id: meta.k,
    line: meta.l,
    error: code === undefined ? null : { code, message: '' },
    attempts: meta.a,
    model: meta.m ?? null,
    latency_ms: null,
    queued_ms: null,
    usage: meta.u
      ? { prompt_tokens: meta.u[0], completion_tokens: meta.u[1], total_tokens: meta.u[0] + meta.u[1] }
      : null,
    cost_usd: meta.c ?? null,
  };
}

/** Whether `path` is a run journal of this version (not a batch journal of an older Volley). */
export async function isRunJournal(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').startsWith('{"t":"h","journal":"volley-run"');
  } finally {
    await file.close();
  }
}
