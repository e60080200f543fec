/**
 * `volley status`: the numbers the live bar shows (done of total, rates against the limits, 429s,
 * retries, failures, tokens, spend, elapsed, ETA) for a running or finished run, read from the two
 * tallies: the run's (`RunTally`, from its run record, every invocation) and the output records'
 * (`RecordTally`, from its journal). Nothing here counts on its own.
 */
import {
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  formatUsd,
  perMinute,
} from '../format/index.js';
import type { RecordTally } from '../records/tally.js';
import { finished, lastSegment, type RunData } from './events.js';
import type { RunTally } from './run-tally.js';

/** No record for this long (while the recorder snapshots every second) and no end: it stopped. */
const STALLED_MS = 15_000;
const MINUTE = 60_000;

export interface RunStatus {
  readonly command: string | undefined;
  /** `stopped`: the last invocation ended (a stop, a budget, an error) before every line was done. */
  readonly state: 'running' | 'finished' | 'stopped' | 'stalled';
  readonly startedWall: string | undefined;
  /** Active time, every invocation (ms). */
  readonly elapsedMs: number;
  /** Since the last record, for a run that is not finished. */
  readonly silentMs: number | undefined;
  /** Times the run was started (resumes included): the journal's segments, else the record's. */
  readonly invocations: number;
  readonly done: number;
  readonly total: number | undefined;
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly queued: number;
  /** Over the last minute of a running run, or averaged over the active time of a finished one. */
  readonly rateOver: 'last minute' | 'average';
  /** Requests sent (attempts) per minute. */
  readonly rpm: number;
  /** Tokens answered per minute (prompt + completion). */
  readonly tpm: number;
  /** Calls finished per minute of active time. */
  readonly callsPerMinute: number;
  readonly rpmLimit: number | undefined;
  readonly tpmLimit: number | undefined;
  /** Requests sent, every invocation (from the journal's records when there is no run record). */
  readonly attempts: number;
  /** Undefined when only a journal was read: it does not keep 429s. */
  readonly rateLimited: number | undefined;
  readonly retries: number;
  readonly failuresByCode: ReadonlyArray<readonly [string, number]>;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number | undefined;
  readonly unpricedModels: readonly string[];
  readonly etaMs: number | undefined;
}

/** The status of a run from its record; `now` is the wall clock (epoch ms). */
export function recordStatus(run: RunData, tally: RunTally, now: number): RunStatus {
  const last = lastSegment(run);
  const done = finished(run);
  const started = Date.parse(last?.wall ?? '');
  // A finished run ends at its end record; a running one is measured against the wall clock.
  const elapsedMs = Math.max(
    1,
    done || !last || !Number.isFinite(started)
      ? run.endT
      : last.offset + Math.max(last.durationMs, now - started),
  );
  const silentMs = done ? undefined : Math.max(0, elapsedMs - run.endT);
  const doneItems = tally.ok + tally.failed + (run.segments[0]?.meta.done ?? 0);
  const callsPerMinute = perMinute(tally.ok + tally.failed, elapsedMs);
  const total = last?.meta.total;
  const state = done ? ended(doneItems, total) : (silentMs ?? 0) > STALLED_MS ? 'stalled' : 'running';
  return {
    command: last?.meta.command,
    state,
    startedWall: run.segments[0]?.wall || undefined,
    elapsedMs,
    silentMs,
    invocations: tally.invocations,
    done: doneItems,
    total,
    ok: tally.ok,
    failed: tally.failed,
    inFlight: done ? 0 : tally.inFlight,
    queued: done ? 0 : tally.queued,
    rateOver: done ? 'average' : 'last minute',
    rpm: done ? perMinute(tally.attempts, elapsedMs) : tally.requests.perMinute(run.endT),
    tpm: done
      ? perMinute(tally.promptTokens + tally.completionTokens, elapsedMs)
      : tally.tokens.perMinute(run.endT),
    callsPerMinute,
    rpmLimit: tally.rpmLimit ?? last?.limits.rpm,
    tpmLimit: tally.tpmLimit ?? last?.limits.tpm,
    attempts: tally.attempts,
    rateLimited: tally.rateLimited,
    retries: tally.retries,
    failuresByCode: [...tally.failuresByCode].sort((a, b) => b[1] - a[1]),
    promptTokens: tally.promptTokens,
    completionTokens: tally.completionTokens,
    costUsd: tally.costUsd,
    unpricedModels: tally.unpricedModels,
    etaMs: eta(state, total, doneItems, callsPerMinute),
  };
}

/** A run whose last invocation ended: finished, or stopped with lines left to do. */
function ended(done: number, total: number | undefined): 'finished' | 'stopped' {
  return total !== undefined && done < total ? 'stopped' : 'finished';
}

/** Like the live bar: what is left at the pace of this run so far. */
function eta(
  state: RunStatus['state'],
  total: number | undefined,
  done: number,
  perMin: number,
): number | undefined {
  if (state === 'finished' || state === 'stopped' || total === undefined || perMin <= 0) return undefined;
  return (Math.max(0, total - done) / perMin) * MINUTE;
}

/**
 * The status of a batch from its journal's records (every invocation), with the live figures
 * (rates, limits, 429s, attempts, in flight, state) and what was paid from its run record when
 * there is one.
 */
export function journalStatus(
  records: RecordTally,
  journal: { readonly createdAt: number; readonly modifiedAt: number; readonly invocations: number },
  record: RunStatus | undefined,
  now: number,
): RunStatus {
  const c = records.counts;
  const silentMs = Math.max(0, now - journal.modifiedAt);
  const elapsedMs = record?.elapsedMs ?? Math.max(1, journal.modifiedAt - journal.createdAt);
  const callsPerMinute = perMinute(c.ok + c.failed, elapsedMs);
  const total = record?.total;
  const state =
    record?.state === 'finished' || record?.state === 'stopped'
      ? ended(records.done, total)
      : (record?.state ?? (silentMs > STALLED_MS ? 'stalled' : 'running'));
  const codes = [...records.failuresByCode].sort((a, b) => b[1] - a[1]);
  return {
    command: record?.command,
    state,
    startedWall: record?.startedWall ?? new Date(journal.createdAt).toISOString(),
    elapsedMs,
    silentMs: record ? record.silentMs : silentMs,
    invocations: journal.invocations || record?.invocations || 1,
    done: records.done,
    total,
    ok: c.ok,
    failed: c.failed,
    inFlight: record?.inFlight ?? 0,
    queued: record?.queued ?? 0,
    rateOver: record?.rateOver ?? 'average',
    rpm: record?.rpm ?? perMinute(records.attempts, elapsedMs),
    tpm: record?.tpm ?? perMinute(records.promptTokens + records.completionTokens, elapsedMs),
    callsPerMinute: record?.callsPerMinute ?? callsPerMinute,
    rpmLimit: record?.rpmLimit,
    tpmLimit: record?.tpmLimit,
    attempts: record?.attempts ?? records.attempts,
    rateLimited: record?.rateLimited,
    retries: record?.retries ?? Math.max(0, records.attempts - c.ok - c.failed),
    failuresByCode: codes,
    // What was paid: the run record's calls, those of lines since edited or dropped too.
    promptTokens: record?.promptTokens ?? records.promptTokens,
    completionTokens: record?.completionTokens ?? records.completionTokens,
    costUsd: record
      ? record.costUsd
      : records.costUsd > 0 || records.unpriced.size === 0
        ? records.costUsd
        : undefined,
    unpricedModels: record?.unpricedModels ?? [...records.unpriced].sort(),
    etaMs: record?.etaMs ?? eta(state, total, records.done, callsPerMinute),
  };
}

/** The status as a few aligned lines of text. */
export function formatStatus(s: RunStatus, width = 24): string {
  const lines: string[] = [];
  const line = (label: string, text: string) => lines.push(`${label.padEnd(9)} ${text}`);
  if (s.command) lines.push(s.command);
  const stateText =
    s.state === 'finished'
      ? 'finished'
      : s.state === 'stopped'
        ? `stopped with ${formatCount(Math.max(0, (s.total ?? 0) - s.done))} lines left: rerun its command to resume`
        : s.state === 'stalled'
          ? `not finished, but nothing recorded for ${formatDuration(s.silentMs ?? 0)}: the run may have stopped`
          : 'running';
  const started = s.startedWall
    ? ` · started ${s.startedWall.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`
    : '';
  const runs = s.invocations > 1 ? ` · ${s.invocations} invocations` : '';
  line('state', `${stateText}${started}${runs}`);
  line(
    'elapsed',
    `${formatDuration(s.elapsedMs)}${s.etaMs === undefined ? '' : ` · ETA ${formatDuration(s.etaMs)}`}`,
  );
  if (s.total !== undefined && s.total > 0) {
    const share = Math.min(1, s.done / s.total);
    const filled = Math.round(share * width);
    line(
      'done',
      `${formatCount(s.done)}/${formatCount(s.total)} (${formatPercent(share)}) [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    );
  } else {
    line('done', `${formatCount(s.done)} (total unknown)`);
  }
  line(
    'rate',
    `${formatRate(s.rpm, s.rpmLimit, 'rpm')} · ${formatRate(s.tpm, s.tpmLimit, 'tpm')} (${s.rateOver}) · ${formatCount(s.callsPerMinute)} calls/min`,
  );
  const codes = s.failuresByCode.slice(0, 4).map(([code, n]) => `${code} ${formatCount(n)}`);
  const failedText = `${formatCount(s.failed)} failed${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
  const live =
    s.state === 'finished' || s.state === 'stopped'
      ? ''
      : ` · ${formatCount(s.inFlight)} in flight · ${formatCount(s.queued)} queued`;
  line('calls', `${formatCount(s.ok)} ok · ${failedText}${live}`);
  const attempts = s.attempts === undefined ? '' : ` · ${formatCount(s.attempts)} requests sent`;
  line(
    '429s',
    `${s.rateLimited === undefined ? 'unknown (no run record)' : formatCount(s.rateLimited)} · retries ${formatCount(s.retries)}${attempts}`,
  );
  line('tokens', `${formatCount(s.promptTokens)} in · ${formatCount(s.completionTokens)} out`);
  const unpriced = s.unpricedModels.length > 0 ? ` (no price for ${s.unpricedModels.join(', ')})` : '';
  line('spend', `${s.costUsd === undefined ? '–' : formatUsd(s.costUsd)}${unpriced}`);
  return `${lines.join('\n')}\n`;
}
