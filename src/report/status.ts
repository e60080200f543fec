/**
 * `volley status`: the numbers a live progress bar shows (done of total, rate against the limits,
 * 429s, retries, failures, tokens, spend, elapsed, ETA) for a running or finished run, from its run
 * record, its batch journal, or both.
 */

import { formatCount, formatDuration, formatUsd } from '../format/index.js';
import type { Pricing } from '../pricing/index.js';
import type { RunData } from './read.js';

/** No record for this long (while the recorder snapshots every second) and no end: it stopped. */
const STALLED_MS = 15_000;
const WINDOW_MS = 10_000;
const MINUTE = 60_000;

export interface RunStatus {
  readonly command: string | undefined;
  readonly state: 'running' | 'finished' | 'stalled';
  readonly startedWall: string | undefined;
  readonly elapsedMs: number;
  /** Since the last record, for a run that is not finished. */
  readonly silentMs: number | undefined;
  readonly done: number;
  readonly total: number | undefined;
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly queued: number;
  /** How the rates below were taken: over the last 10 s of a running run, or averaged over a finished one. */
  readonly rateOver: 'last 10 s' | 'average';
  /** Requests sent (attempts) per minute. */
  readonly rpm: number;
  /** Tokens answered per minute (prompt + completion). */
  readonly tpm: number;
  /** Calls finished per minute since the start. */
  readonly callsPerMinute: number;
  readonly rpmLimit: number | undefined;
  readonly tpmLimit: number | undefined;
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

export interface StatusOptions {
  readonly pricing: Pricing;
  /** Wall time now (epoch ms). */
  readonly now: number;
}

/** The status of a run from its record. */
export function computeStatus(run: RunData, options: StatusOptions): RunStatus {
  const { header } = run;
  const finished = run.end !== undefined;
  const started = Date.parse(header.wall);
  // A finished run ends at its end record; a running one is measured against the wall clock.
  const elapsedMs = Math.max(
    1,
    finished || !Number.isFinite(started)
      ? (run.end?.t ?? run.lastT)
      : Math.max(run.lastT, options.now - started),
  );
  const silentMs = finished ? undefined : Math.max(0, elapsedMs - run.lastT);
  const state = finished ? 'finished' : (silentMs ?? 0) > STALLED_MS ? 'stalled' : 'running';

  const phase = new Map<string, 0 | 1>(); // 0 waiting, 1 in flight
  let ok = 0;
  let failed = 0;
  let retries = 0;
  let rateLimited = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let cost = 0;
  let priced = false;
  const unpriced = new Set<string>();
  const codes = new Map<string, number>();
  // A running run's rates are over its last 10 s, like the live bar's.
  const windowEnd = finished ? elapsedMs : run.lastT;
  const windowStart = finished ? 0 : Math.max(0, windowEnd - WINDOW_MS);
  let windowSent = 0;
  let windowTokens = 0;
  for (const e of run.events) {
    switch (e.e) {
      case 'q':
        phase.set(e.i, 0);
        break;
      case 's':
        phase.set(e.i, 1);
        if (e.t > windowStart || windowStart === 0) windowSent++;
        break;
      case 'y':
        phase.set(e.i, 0);
        retries++;
        break;
      case 'r':
        rateLimited++;
        break;
      case 'f': {
        phase.delete(e.i);
        ok++;
        const tokens = (e.in ?? 0) + (e.out ?? 0);
        promptTokens += e.in ?? 0;
        completionTokens += e.out ?? 0;
        if (e.t > windowStart || windowStart === 0) windowTokens += tokens;
        if (tokens > 0) {
          const model = e.m ?? run.lanes[e.l]?.m ?? 'unknown model';
          const price = options.pricing.cost(model, e.in ?? 0, e.out ?? 0);
          if (price === undefined) unpriced.add(model);
          else {
            cost += price;
            priced = true;
          }
        }
        break;
      }
      case 'x':
        phase.delete(e.i);
        failed++;
        codes.set(e.c, (codes.get(e.c) ?? 0) + 1);
        break;
    }
  }
  let inFlight = 0;
  for (const p of phase.values()) inFlight += p;
  const windowMs = Math.max(1, windowEnd - windowStart);
  const callsPerMinute = ((ok + failed) * MINUTE) / elapsedMs;
  const done = ok + failed + (header.meta.done ?? 0);
  const total = header.meta.total;
  const { rpm, tpm } = limitsInForce(run);
  return {
    command: header.meta.command,
    state,
    startedWall: header.wall || undefined,
    elapsedMs,
    silentMs,
    done,
    total,
    ok,
    failed,
    inFlight,
    queued: phase.size - inFlight,
    rateOver: finished ? 'average' : 'last 10 s',
    rpm: (windowSent * MINUTE) / windowMs,
    tpm: (windowTokens * MINUTE) / windowMs,
    callsPerMinute,
    rpmLimit: rpm ?? header.limits.rpm,
    tpmLimit: tpm ?? header.limits.tpm,
    rateLimited,
    retries,
    failuresByCode: [...codes].sort((a, b) => b[1] - a[1]),
    promptTokens,
    completionTokens,
    costUsd: priced ? cost : undefined,
    unpricedModels: [...unpriced].sort(),
    etaMs: eta(state, total, done, callsPerMinute),
  };
}

/** Like the live bar: what is left at the average pace of this run so far. */
function eta(
  state: RunStatus['state'],
  total: number | undefined,
  done: number,
  perMinute: number,
): number | undefined {
  if (state === 'finished' || total === undefined || perMinute <= 0) return undefined;
  return (Math.max(0, total - done) / perMinute) * MINUTE;
}

/** The sum over lanes of the limits each last reported. */
function limitsInForce(run: RunData): { rpm: number | undefined; tpm: number | undefined } {
  const last = new Map<number, { rpm?: number; tpm?: number }>();
  for (const s of run.snapshots) last.set(s.l, s);
  let rpm: number | undefined;
  let tpm: number | undefined;
  for (const s of last.values()) {
    if (s.rpm !== undefined) rpm = (rpm ?? 0) + s.rpm;
    if (s.tpm !== undefined) tpm = (tpm ?? 0) + s.tpm;
  }
  return { rpm, tpm };
}

/** A batch journal's records, as far as status needs them. */
export interface JournalLine {
  readonly error: { readonly code: string } | null;
  readonly attempts?: number;
  readonly model?: string | null;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
  readonly cost_usd?: number | null;
  readonly response?: unknown;
}

/**
 * The status of a batch from its journal (every run of it, resumes included), with the live figures
 * (rate, limits, 429s, in flight, state) from its run record when there is one.
 */
export function journalStatus(
  lines: Iterable<JournalLine>,
  journal: { readonly createdAt: number; readonly modifiedAt: number },
  record: RunStatus | undefined,
  options: StatusOptions,
): RunStatus {
  let ok = 0;
  let failed = 0;
  let skipped = 0;
  let retries = 0;
  let attempts = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let cost = 0;
  let priced = false;
  const unpriced = new Set<string>();
  const codes = new Map<string, number>();
  for (const line of lines) {
    const code = line.error?.code;
    if (code === 'invalid_input' || code === 'duplicate_custom_id') {
      skipped++;
      continue;
    }
    if (code !== undefined) {
      failed++;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    } else ok++;
    attempts += line.attempts ?? 1;
    retries += Math.max(0, (line.attempts ?? 1) - 1);
    promptTokens += line.usage?.prompt_tokens ?? 0;
    completionTokens += line.usage?.completion_tokens ?? 0;
    if (typeof line.cost_usd === 'number') {
      cost += line.cost_usd;
      priced = true;
    } else if (line.usage && line.model) unpriced.add(line.model);
  }
  const done = ok + failed + skipped;
  const silentMs = Math.max(0, options.now - journal.modifiedAt);
  const elapsedMs = Math.max(1, journal.modifiedAt - journal.createdAt);
  const callsPerMinute = ((ok + failed) * MINUTE) / elapsedMs;
  const total = record?.total;
  const state = record?.state ?? (silentMs > STALLED_MS ? 'stalled' : 'running');
  return {
    command: record?.command,
    state,
    startedWall: record?.startedWall ?? new Date(journal.createdAt).toISOString(),
    elapsedMs: record?.elapsedMs ?? elapsedMs,
    silentMs: record ? record.silentMs : silentMs,
    done,
    total,
    ok,
    failed,
    inFlight: record?.inFlight ?? 0,
    queued: record?.queued ?? 0,
    rateOver: record?.rateOver ?? 'average',
    rpm: record?.rpm ?? (attempts * MINUTE) / elapsedMs,
    tpm: record?.tpm ?? ((promptTokens + completionTokens) * MINUTE) / elapsedMs,
    callsPerMinute: record?.callsPerMinute ?? callsPerMinute,
    rpmLimit: record?.rpmLimit,
    tpmLimit: record?.tpmLimit,
    rateLimited: record?.rateLimited,
    retries: record?.retries ?? retries,
    failuresByCode: [...codes].sort((a, b) => b[1] - a[1]),
    promptTokens,
    completionTokens,
    costUsd: priced ? cost : undefined,
    unpricedModels: [...unpriced].sort(),
    etaMs: record?.etaMs ?? eta(state, total, done, callsPerMinute),
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
      : s.state === 'stalled'
        ? `not finished, but nothing recorded for ${formatDuration(s.silentMs ?? 0)}: the run may have stopped`
        : 'running';
  const started = s.startedWall
    ? ` · started ${s.startedWall.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`
    : '';
  line('state', `${stateText}${started}`);
  line(
    'elapsed',
    `${formatDuration(s.elapsedMs)}${s.etaMs === undefined ? '' : ` · ETA ${formatDuration(s.etaMs)}`}`,
  );
  if (s.total !== undefined && s.total > 0) {
    const share = Math.min(1, s.done / s.total);
    const filled = Math.round(share * width);
    line(
      'done',
      `${formatCount(s.done)}/${formatCount(s.total)} (${(share * 100).toFixed(1)}%) [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    );
  } else {
    line('done', `${formatCount(s.done)} (total unknown)`);
  }
  const over = s.rateOver === 'average' ? 'average' : 'last 10 s';
  line(
    'rate',
    `${ratio(s.rpm, s.rpmLimit, 'rpm')} · ${ratio(s.tpm, s.tpmLimit, 'tpm')} (${over}) · ${formatCount(s.callsPerMinute)} calls/min`,
  );
  const codes = s.failuresByCode.slice(0, 4).map(([code, n]) => `${code} ${formatCount(n)}`);
  const failedText = `${formatCount(s.failed)} failed${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
  const live =
    s.state === 'finished' ? '' : ` · ${formatCount(s.inFlight)} in flight · ${formatCount(s.queued)} queued`;
  line('calls', `${formatCount(s.ok)} ok · ${failedText}${live}`);
  line(
    '429s',
    `${s.rateLimited === undefined ? 'unknown (no run record)' : formatCount(s.rateLimited)} · retries ${formatCount(s.retries)}`,
  );
  line('tokens', `${formatCount(s.promptTokens)} in · ${formatCount(s.completionTokens)} out`);
  const unpriced = s.unpricedModels.length > 0 ? ` (no price for ${s.unpricedModels.join(', ')})` : '';
  line('spend', `${s.costUsd === undefined ? '–' : formatUsd(s.costUsd)}${unpriced}`);
  return `${lines.join('\n')}\n`;
}

/** `5,980/6,000 rpm`, or `5,980 rpm` when the limit is unknown. */
function ratio(value: number, limit: number | undefined, unit: string): string {
  return limit === undefined
    ? `${formatCount(value)} ${unit}`
    : `${formatCount(value)}/${formatCount(limit)} ${unit}`;
}
