/**
 * The charts over time: calls by state, requests and tokens per minute against the limits in
 * force, and 429s, retries and failures per bucket. Rates use the one rule of `src/format/rate.ts`
 * over a trailing minute, so a burst at the start cannot draw above the limit line.
 */
import { formatCount, formatDuration, perMinute, RATE_WINDOW_MS } from '../../format/index.js';
import { BACKOFF, WAIT } from '../calls.js';
import { barChart, lineChart, type Marker, stackedChart, type TimeFrame } from '../charts.js';
import type { ReportContext } from '../context.js';
import type { RunData } from '../events.js';
import { upsert } from '../maps.js';
import { bucketOf, Coverage, chooseBuckets } from '../series.js';
import { type Html, html } from '../template.js';

export interface Series {
  readonly bucketMs: number;
  readonly count: number;
  /** Rates are over this trailing window (ms), or since their invocation began when that is nearer. */
  readonly rateWindowMs: number;
  readonly sentPerMin: number[];
  readonly donePerMin: number[];
  readonly tokensPerMin: number[];
  readonly rateLimited: number[];
  readonly retries: number[];
  readonly failures: number[];
  /** Limits in force (the lanes' sum), undefined where unknown. */
  readonly rpmLimit: Array<number | undefined>;
  readonly tpmLimit: Array<number | undefined>;
  /** Average number of calls in each state over each bucket. */
  readonly states: Readonly<Record<'queued' | 'limit' | 'flight' | 'backoff', number[]>>;
  /** Where each invocation after the first began. */
  readonly markers: readonly Marker[];
  readonly lanes: number;
  readonly retryReasons: ReadonlyArray<{
    readonly code: string;
    readonly status: number | undefined;
    readonly count: number;
  }>;
}

export function buildSeries(ctx: ReportContext): Series {
  const { run, endT } = ctx;
  const { size, count } = chooseBuckets(endT, ctx.options.maxBuckets ?? 120);
  const zeros = () => new Array<number>(count).fill(0);
  const [sent, done, tokens, rateLimited, retries, failures] = [
    zeros(),
    zeros(),
    zeros(),
    zeros(),
    zeros(),
    zeros(),
  ];
  for (const e of run.events) {
    const b = bucketOf(e.at, size, count);
    if (e.type === 'started') sent[b]!++;
    else if (e.type === 'finished') {
      done[b]!++;
      tokens[b]! += e.promptTokens + e.completionTokens;
    } else if (e.type === 'failed') {
      done[b]!++;
      failures[b]!++;
    } else if (e.type === 'rate-limited') rateLimited[b]!++;
    else if (e.type === 'retried') retries[b]!++;
  }
  const windowMs = Math.max(size, RATE_WINDOW_MS);
  const rate = trailingRate(run, size, count, endT, windowMs);
  return {
    bucketMs: size,
    count,
    rateWindowMs: windowMs,
    sentPerMin: rate(sent),
    donePerMin: rate(done),
    tokensPerMin: rate(tokens),
    rateLimited,
    retries,
    failures,
    rpmLimit: limitSeries(run, 'rpm', size, count),
    tpmLimit: limitSeries(run, 'tpm', size, count),
    states: callsByState(ctx, size, count),
    markers: invocationMarkers(run),
    lanes: run.lanes.length,
    retryReasons: [...ctx.tally.retryReasons.values()].sort((a, b) => b.count - a.count),
  };
}

export function invocationMarkers(run: RunData): Marker[] {
  return run.segments.slice(1).map((s) => ({ at: s.offset, label: `run ${s.index + 1}` }));
}

/**
 * Per bucket, the events of the trailing `windowMs` up to the bucket's end, per minute; the window
 * starts no earlier than the invocation the bucket's end falls in (its budget started full).
 */
function trailingRate(run: RunData, size: number, count: number, endT: number, windowMs: number) {
  const starts = run.segments.map((s) => s.offset);
  return (values: readonly number[]): number[] => {
    const prefix = new Float64Array(count + 1);
    for (let k = 0; k < count; k++) prefix[k + 1] = prefix[k]! + values[k]!;
    let seg = 0;
    return values.map((_, k) => {
      const end = Math.min((k + 1) * size, endT);
      while (seg + 1 < starts.length && starts[seg + 1]! < end) seg++;
      const from = Math.max(end - windowMs, starts[seg] ?? 0);
      const first = Math.min(k, Math.max(0, Math.ceil(from / size)));
      return perMinute(prefix[k + 1]! - prefix[first]!, end - first * size);
    });
  };
}

/** The last bucket may be cut short by the end of the run: averages use the time it covers. */
function bucketWidth(k: number, size: number, endT: number): number {
  return Math.max(1, Math.min(size, endT - k * size));
}

/** Calls by state, time-weighted; waiting is split by whether its lane was held back by a limit. */
function callsByState(ctx: ReportContext, size: number, count: number): Series['states'] {
  const flight = new Coverage(size, count);
  const backoff = new Coverage(size, count);
  const waiting = new Map<number, Coverage>();
  for (const c of ctx.calls) {
    const segs = c.segs;
    for (let k = 0; k < segs.length; k += 3) {
      const [kind, a, b] = [segs[k]!, segs[k + 1]!, segs[k + 2]!];
      if (kind === WAIT) upsert(waiting, c.lane, () => new Coverage(size, count)).add(a, b);
      else if (kind === BACKOFF) backoff.add(a, b);
      else flight.add(a, b);
    }
  }
  const queued = new Array<number>(count).fill(0);
  const limited = new Array<number>(count).fill(0);
  for (const [lane, cov] of waiting) {
    const wait = cov.finish();
    const held = new Coverage(size, count);
    for (const [a, b] of ctx.held.get(lane) ?? []) held.add(a, b);
    const heldMs = held.finish();
    for (let k = 0; k < count; k++) {
      const width = bucketWidth(k, size, ctx.endT);
      const share = Math.min(1, heldMs[k]! / width);
      queued[k]! += (wait[k]! * (1 - share)) / width;
      limited[k]! += (wait[k]! * share) / width;
    }
  }
  const average = (cov: Coverage) => Array.from(cov.finish(), (ms, k) => ms / bucketWidth(k, size, ctx.endT));
  return { queued, limit: limited, flight: average(flight), backoff: average(backoff) };
}

/** The sum over the invocation's lanes of the limit each last reported, at the end of each bucket. */
function limitSeries(
  run: RunData,
  field: 'rpm' | 'tpm',
  size: number,
  count: number,
): Array<number | undefined> {
  const out = new Array<number | undefined>(count).fill(undefined);
  const current = new Map<number, number | undefined>();
  let k = 0;
  let segment = 0;
  const emit = (until: number) => {
    for (; k < until && k < count; k++) {
      let sum: number | undefined;
      for (const value of current.values()) if (value !== undefined) sum = (sum ?? 0) + value;
      out[k] = sum;
    }
  };
  for (const s of run.states) {
    emit(Math.floor(s.at / size));
    if (s.segment !== segment) {
      current.clear();
      segment = s.segment;
    }
    current.set(s.lane, s[field]);
  }
  emit(count);
  return out;
}

/** The calls-by-state chart: in "Over time", or heading the timeline of a large run. */
export function statesChart(s: Series, frame: TimeFrame): Html {
  return stackedChart(
    `Calls by state (average over each ${formatDuration(s.bucketMs)})`,
    frame,
    [
      { label: 'in flight', values: s.states.flight, cls: 'c-flight' },
      { label: 'waiting for the rate limit', values: s.states.limit, cls: 'c-limit-wait' },
      { label: 'queued', values: s.states.queued, cls: 'c-queued' },
      { label: 'retry backoff', values: s.states.backoff, cls: 'c-backoff' },
    ],
    'Counts every call of the run.',
  );
}

export function frameOf(s: Series, endMs: number): TimeFrame {
  return { endMs: Math.max(1, endMs), bucketMs: s.bucketMs, count: s.count, markers: s.markers };
}

export function renderOverTime(s: Series, frame: TimeFrame, withStates: boolean): Html {
  const rpmKnown = s.rpmLimit.some((v) => v !== undefined);
  const tpmKnown = s.tpmLimit.some((v) => v !== undefined);
  const sum = s.lanes > 1 ? ' (sum of the lanes)' : '';
  const over = ` (over the last ${formatDuration(s.rateWindowMs)})`;
  const limitLine = (values: Array<number | undefined>, unit: string) => ({
    label: `${unit} limit in force${sum}`,
    values,
    cls: 'c-limit',
    dashed: true,
  });
  return html`<h2>Over time</h2>
${withStates ? statesChart(s, frame) : html``}
${lineChart(
  `Requests and completed calls per minute${over}`,
  frame,
  [
    { label: 'requests sent per minute (attempts)', values: s.sentPerMin, cls: 'c-sent' },
    { label: 'calls finished per minute', values: s.donePerMin, cls: 'c-done' },
    ...(rpmKnown ? [limitLine(s.rpmLimit, 'rpm')] : []),
  ],
  '',
)}
${rpmKnown ? html`` : html`<p class="note">The rpm limit was not known during this run (not configured, and no rate-limit headers seen).</p>`}
${lineChart(
  `Tokens per minute${over}`,
  frame,
  [
    { label: 'tokens per minute (prompt + completion, at finish)', values: s.tokensPerMin, cls: 'c-tokens' },
    ...(tpmKnown ? [limitLine(s.tpmLimit, 'tpm')] : []),
  ],
  '',
)}
${barChart(`429s, retries and failures (per ${formatDuration(s.bucketMs)})`, frame, [
  { label: '429s', values: s.rateLimited, cls: 'c-429' },
  { label: 'retries', values: s.retries, cls: 'c-retry' },
  { label: 'failed calls', values: s.failures, cls: 'c-fail' },
])}
${
  s.retryReasons.length === 0
    ? html``
    : html`<table><thead><tr><th>retried after</th><th class="n">HTTP status</th><th class="n">retries</th></tr></thead><tbody>${s.retryReasons.map(
        (r) =>
          html`<tr><td><code>${r.code}</code></td><td class="n">${r.status ?? '–'}</td><td class="n">${formatCount(r.count)}</td></tr>`,
      )}</tbody></table>`
}`;
}
