import { describe, expect, it } from 'vitest';
import type { TraceJSON } from '../flows/trace.js';
import { Pricing } from '../pricing/index.js';
import { aggregate, movingRate } from './aggregate.js';
import { rebuildCalls } from './calls.js';
import { linkFlow, runFromTrace, stepOf } from './flow-trace.js';
import type { RunRecord } from './format.js';
import { collectRun, type RunData } from './read.js';

const header: RunRecord = {
  e: 'run',
  v: 1,
  at: 1_700_000_000_000,
  wall: '2023-11-14T22:13:20.000Z',
  meta: { command: 'volley run in.jsonl', model: 'gpt-4o-mini', total: 3 },
  limits: { rpm: 60 },
};

/**
 * Three calls on one lane held back by its rpm limit for the first second:
 * call-1 goes at once; call-2 waits, gets a 429, backs off and succeeds; call-3 fails.
 */
const records: RunRecord[] = [
  header,
  { e: 'lane', l: 0, k: 'openai:https://api.openai.com/v1#ab12|gpt-4o-mini', m: 'gpt-4o-mini' },
  { e: 'ls', t: 0, l: 0, rpm: 60, f: 0, q: 0, c: 4, w: 'requests' },
  { e: 'q', i: 'call-1', l: 0, t: 0, n: 150 },
  { e: 's', i: 'call-1', l: 0, t: 0, a: 1 },
  { e: 'q', i: 'call-2', l: 0, t: 0, n: 150 },
  { e: 'q', i: 'call-3', l: 0, t: 100, n: 150 },
  { e: 's', i: 'call-3', l: 0, t: 200, a: 1 },
  { e: 'x', i: 'call-3', l: 0, t: 400, a: 1, qd: 100, lat: 200, c: 'server_error', st: 500, msg: 'boom' },
  { e: 'f', i: 'call-1', l: 0, t: 500, a: 1, lat: 500, qd: 0, in: 100, out: 50, fr: 'stop' },
  { e: 's', i: 'call-2', l: 0, t: 600, a: 1 },
  { e: 'r', i: 'call-2', l: 0, t: 700, ms: 1000, st: 429 },
  { e: 'y', i: 'call-2', l: 0, t: 700, a: 1, ms: 1000, c: 'rate_limited', st: 429 },
  { e: 'ls', t: 1000, l: 0, rpm: 60, f: 0, q: 1, c: 4 },
  { e: 's', i: 'call-2', l: 0, t: 1800, a: 2 },
  { e: 'f', i: 'call-2', l: 0, t: 2300, a: 2, lat: 500, qd: 1700, in: 100, out: 50, fr: 'stop' },
  { e: 'end', t: 2500, wall: '2023-11-14T22:13:22.500Z' },
];

function run(list: RunRecord[] = records): RunData {
  return collectRun(list)!;
}

describe('rebuilding calls from events', () => {
  it('turns events into segments: waiting, in flight, backoff, done or failed', () => {
    const { calls, pauses } = rebuildCalls(run().events, 2500);
    const [c1, c2, c3] = calls;
    expect(calls.map((c) => c.id)).toEqual(['call-1', 'call-2', 'call-3']);
    // [kind, from, to] with WAIT 0, FLIGHT 1, BACKOFF 2, DONE 3, FAILED 4
    expect(c1!.segs).toEqual([3, 0, 500]);
    expect(c2!.segs).toEqual([0, 0, 600, 1, 600, 700, 2, 700, 1700, 0, 1700, 1800, 3, 1800, 2300]);
    expect(c3!.segs).toEqual([0, 100, 200, 4, 200, 400]);
    expect(c2).toMatchObject({ status: 'ok', attempts: 2, queuedMs: 1700, promptTokens: 100 });
    expect(c3).toMatchObject({ status: 'failed', code: 'server_error', httpStatus: 500, message: 'boom' });
    expect(pauses.get(0)).toEqual([[700, 1700]]);
  });

  it('closes calls still open at the end of the record as unfinished', () => {
    const { calls } = rebuildCalls(
      [
        { e: 'q', i: 'a', l: 0, t: 0, n: 1 },
        { e: 's', i: 'a', l: 0, t: 10, a: 1 },
        { e: 'q', i: 'b', l: 0, t: 5, n: 1 },
      ],
      50,
    );
    expect(calls.map((c) => [c.status, c.segs, c.end])).toEqual([
      ['unfinished', [0, 0, 10, 1, 10, 50], 50],
      ['unfinished', [0, 5, 50], 50],
    ]);
  });

  it('marks a call that fails while waiting (a deadline) with a zero-length failure', () => {
    const { calls } = rebuildCalls(
      [
        { e: 'q', i: 'a', l: 0, t: 0, n: 1 },
        { e: 'x', i: 'a', l: 0, t: 30, a: 0, qd: 30, c: 'deadline_exceeded', msg: 'too late' },
      ],
      30,
    );
    expect(calls[0]!.segs).toEqual([0, 0, 30, 4, 30, 30]);
  });
});

describe('aggregate', () => {
  const model = aggregate(run(), { pricing: new Pricing() });

  it('counts calls, attempts, retries, 429s, tokens and cost', () => {
    expect(model.totals).toMatchObject({
      calls: 3,
      ok: 2,
      failed: 1,
      unfinished: 0,
      attempts: 4,
      retries: 1,
      rateLimited: 1,
      promptTokens: 200,
      completionTokens: 100,
      unpricedModels: [],
    });
    // gpt-4o-mini: $0.15 in, $0.60 out per million.
    expect(model.totals.costUsd).toBeCloseTo((200 * 0.15 + 100 * 0.6) / 1e6, 12);
    expect(model.durationMs).toBe(2500);
    expect(model.finished).toBe(true);
  });

  it('splits waiting into queued and held back by a limit (rpm in the snapshot, or a 429 pause)', () => {
    const rows = model.timeline.groups[0]!.rows;
    const seg = (id: string) => rows.find((r) => r.id === id)!.segments;
    expect(seg('call-2')).toEqual([
      ['limit', 0, 600],
      ['flight', 600, 700],
      ['backoff', 700, 1700],
      ['queued', 1700, 1800],
      ['done', 1800, 2300],
    ]);
    expect(seg('call-3')).toEqual([
      ['limit', 100, 200],
      ['failed', 200, 400],
    ]);
    expect(model.timeline).toMatchObject({ shown: 3, total: 3, sampling: undefined, endMs: 2500 });
  });

  it('computes series per bucket: rates, counts, the limits in force, and calls by state', () => {
    const s = model.series;
    expect(s.bucketMs).toBe(50);
    expect(s.count).toBe(50);
    expect(s.rateLimited.reduce((a, b) => a + b)).toBe(1);
    expect(s.rateLimited[14]).toBe(1); // t = 700
    expect(s.retries[14]).toBe(1);
    expect(s.failures[8]).toBe(1); // t = 400
    expect(s.rpmLimit.every((v) => v === 60)).toBe(true);
    expect(s.tpmLimit.every((v) => v === undefined)).toBe(true);
    // During 0-50 ms: call-1 in flight, call-2 waiting on the rpm limit.
    expect(s.states.flight[0]).toBeCloseTo(1);
    expect(s.states.limit[0]).toBeCloseTo(1);
    expect(s.states.queued[0]).toBeCloseTo(0);
    // 1700-1800 ms: call-2 waits after its backoff, no limit in force.
    expect(s.states.queued[34]).toBeCloseTo(1);
    expect(s.states.backoff[20]).toBeCloseTo(1);
    // Over the whole run, tokens per minute average out to the tokens answered.
    const tokens = s.tokensPerMin.reduce((a, b) => a + b, 0);
    expect(tokens).toBeGreaterThan(0);
  });

  it('gives latency percentiles per model, cost rows and failures by reason', () => {
    expect(model.latency).toHaveLength(1);
    expect(model.latency[0]!.latency).toMatchObject({ count: 2, p50: 500, max: 500 });
    expect(model.latency[0]!.queued).toMatchObject({ count: 3, p50: 100, max: 1700 });
    expect(model.latency[0]!.total).toMatchObject({ count: 3, max: 2300 });
    expect(model.costByModel).toEqual([
      expect.objectContaining({
        label: 'gpt-4o-mini',
        calls: 3,
        promptTokens: 200,
        completionTokens: 100,
        partial: false,
      }),
    ]);
    expect(model.costByStep).toEqual([]);
    expect(model.failureGroups).toEqual([
      { code: 'server_error', status: 500, message: 'boom', count: 1, examples: ['call-3'] },
    ]);
    expect(model.failures).toEqual([
      {
        id: 'call-3',
        label: 'call-3',
        at: 400,
        attempts: 1,
        code: 'server_error',
        status: 500,
        message: 'boom',
      },
    ]);
    expect(model.retryReasons).toEqual([{ code: 'rate_limited', status: 429, count: 1 }]);
    expect(model.lanes).toEqual([
      {
        key: 'openai:https://api.openai.com/v1#ab12|gpt-4o-mini',
        model: 'gpt-4o-mini',
        rpm: 60,
        tpm: undefined,
        concurrency: 4,
      },
    ]);
  });

  it('shows tokens instead of a cost for a model without a price', () => {
    const other = records.map((r) => (r.e === 'lane' ? { ...r, m: 'my-local-model' } : r));
    const m = aggregate(run(other));
    expect(m.totals.costUsd).toBeUndefined();
    expect(m.totals.unpricedModels).toEqual(['my-local-model']);
    expect(m.costByModel[0]).toMatchObject({
      label: 'my-local-model',
      costUsd: undefined,
      promptTokens: 200,
    });
  });

  it('keeps the last run of a file and says the record is unfinished without an end', () => {
    const twice = [...records.slice(0, -1), ...records.slice(0, 6)];
    const m = aggregate(run(twice));
    expect(m.earlierRuns).toBe(1);
    expect(m.finished).toBe(false);
    expect(m.totals).toMatchObject({ calls: 2, ok: 0, unfinished: 2 });
    expect(m.notes.join(' ')).toMatch(/holds 2 runs/);
    expect(m.notes.join(' ')).toMatch(/no end/);
  });

  it('reads a line that holds several records like the records one by one', () => {
    const grouped = collectRun([records[0]!, records.slice(1, 8), ...records.slice(8)])!;
    expect(aggregate(grouped).totals).toEqual(model.totals);
  });
});

describe('sampling a large run', () => {
  it('draws at most maxRows rows, keeps the failed calls, and says how it sampled', () => {
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|m', m: 'm' }];
    for (let i = 0; i < 5000; i++) {
      const id = `c${i}`;
      list.push({ e: 'q', i: id, l: 0, t: i, n: 1 }, { e: 's', i: id, l: 0, t: i, a: 1 });
      if (i % 1000 === 7) list.push({ e: 'x', i: id, l: 0, t: i + 5, a: 1, c: 'timeout', msg: 'slow' });
      else list.push({ e: 'f', i: id, l: 0, t: i + 5, a: 1, lat: 5, qd: 0 });
    }
    const m = aggregate(run(list), { maxRows: 100 });
    const rows = m.timeline.groups[0]!.rows;
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(rows.length).toBeGreaterThan(90);
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(5);
    expect(m.timeline).toMatchObject({ total: 5000, shown: rows.length });
    expect(m.timeline.sampling).toMatch(
      /^Showing \d+ of 5,000 calls: every 53rd call in queue order, all 5 failed calls\./,
    );
    // In queue order.
    expect(rows.map((r) => r.start)).toEqual([...rows.map((r) => r.start)].sort((a, b) => a - b));
    expect(m.totals.calls).toBe(5000);
  });

  it('averages rates over about a second when buckets are finer', () => {
    expect(movingRate([0, 6, 0, 0], 2, () => 500)).toEqual([0, 360, 360, 0]);
    expect(movingRate([1, 2], 1, () => 60_000)).toEqual([1, 2]);
  });
});

describe('flow traces', () => {
  const span = (id: number, path: string, start: number, end: number, extra: object = {}) => ({
    id,
    parent: 0,
    kind: 'call' as const,
    name: path,
    path,
    start,
    end,
    status: 'ok' as const,
    queuedMs: 10,
    attempts: 1,
    model: 'gpt-4o-mini',
    tokens: { prompt: 10, completion: 5 },
    ...extra,
  });
  const trace: TraceJSON = {
    flow: 'article',
    startedAt: 1_700_000_000_000,
    spans: [
      { id: 0, parent: undefined, kind: 'flow', name: 'article', path: '', start: 0, end: 900, status: 'ok' },
      span(1, 'outline', 0, 300),
      span(2, 'sections[0]/expand', 310, 600),
      span(3, 'sections[1]/expand', 310, 800),
      span(4, 'summary', 810, 900, { status: 'error', error: { code: 'timeout', message: 'took too long' } }),
    ],
  };

  it('names steps without their item indices', () => {
    expect(stepOf('sections[12]/expand')).toBe('sections[]/expand');
    expect(stepOf('')).toBe('(flow)');
  });

  it('makes a run of a trace alone, grouped by step, with the critical path marked', () => {
    const m = aggregate(runFromTrace(trace), { trace });
    expect(m.totals).toMatchObject({ calls: 4, ok: 3, failed: 1, promptTokens: 30 });
    expect(m.timeline.groups.map((g) => [g.label, g.calls, g.critical])).toEqual([
      ['outline', 1, 1],
      ['sections[]/expand', 2, 1],
      ['summary', 1, 1],
    ]);
    const critical = m.timeline.groups.flatMap((g) => g.rows).filter((r) => r.critical);
    expect(critical.map((r) => r.label)).toEqual(['outline', 'sections[1]/expand', 'summary']);
    expect(m.timeline.critical).toBe(3);
    expect(m.costByStep.map((r) => r.label).sort()).toEqual(['outline', 'sections[]/expand', 'summary']);
    const outline = m.timeline.groups[0]!.rows[0]!;
    expect(outline.segments).toEqual([
      ['queued', 0, 10],
      ['done', 10, 300],
    ]);
    expect(m.failures[0]).toMatchObject({ label: 'summary', code: 'timeout', message: 'took too long' });
  });

  it('groups the calls of many runs of a flow by step from their ids alone', () => {
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|m', m: 'm' }];
    const ids = [
      'flow:article#1/outline#1',
      'flow:article#2/outline#1',
      'flow:article#2/outline#2',
      'call-5',
    ];
    ids.forEach((i, t) => {
      list.push({ e: 'q', i, l: 0, t, n: 1 });
    });
    const m = aggregate(run(list));
    expect(m.timeline.groups.map((g) => [g.label, g.rows.map((r) => r.label)])).toEqual([
      ['outline', ['outline · run 1', 'outline · run 2 #1', 'outline · run 2 #2']],
      ['(other calls)', ['call-5']],
    ]);
    expect(m.timeline.critical).toBe(0);
  });

  it("links a run record's flow calls to the trace by their ids", () => {
    const id = (path: string, n: number) => `flow:article#3/${path}#${n}`;
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|gpt-4o-mini', m: 'gpt-4o-mini' }];
    const paths = ['outline', 'sections[0]/expand', 'sections[1]/expand', 'summary'];
    paths.forEach((p, k) => {
      list.push({ e: 'q', i: id(p, k + 1), l: 0, t: k, n: 1 });
    });
    list.push({ e: 'q', i: 'call-99', l: 0, t: 5, n: 1 });
    const { calls } = rebuildCalls(collectRun(list)!.events, 10);
    const links = linkFlow(calls, trace);
    expect(calls.map((c) => links.get(c)?.critical)).toEqual([true, false, true, true, undefined]);
    expect(calls.map((c) => links.get(c)?.group)).toEqual([
      'outline',
      'sections[]/expand',
      'sections[]/expand',
      'summary',
      undefined,
    ]);
  });
});
