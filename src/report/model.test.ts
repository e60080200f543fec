import { describe, expect, it } from 'vitest';
import type { TraceJSON } from '../flows/trace.js';
import { Pricing } from '../pricing/index.js';
import { rebuildCalls } from './calls.js';
import { decodeRun } from './decode.js';
import type { RunData } from './events.js';
import { linkFlow, runFromTrace, stepOf } from './flow-trace.js';
import { renderReport, reportModel } from './page.js';
import type { RunRecord } from './record-format.js';

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
  {
    e: 'lane',
    l: 0,
    k: 'openai:https://api.openai.com/v1#ab12|gpt-4o-mini',
    m: 'gpt-4o-mini',
    p: 'openai',
    u: 'https://api.openai.com/v1',
  },
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
  return decodeRun(list)!;
}

describe('rebuilding calls from events', () => {
  it('turns events into segments: waiting, in flight, backoff, done or failed', () => {
    const { calls, pauses } = rebuildCalls(run());
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
      run([
        header,
        { e: 'q', i: 'a', l: 0, t: 0, n: 1 },
        { e: 's', i: 'a', l: 0, t: 10, a: 1 },
        { e: 'q', i: 'b', l: 0, t: 5, n: 1 },
        { e: 'ls', t: 50, l: 0, f: 1, q: 1, c: 4 },
      ]),
    );
    expect(calls.map((c) => [c.status, c.segs, c.end])).toEqual([
      ['unfinished', [0, 0, 10, 1, 10, 50], 50],
      ['unfinished', [0, 5, 50], 50],
    ]);
  });

  it('marks a call that fails while waiting (a deadline) with a zero-length failure', () => {
    const { calls } = rebuildCalls(
      run([
        header,
        { e: 'q', i: 'a', l: 0, t: 0, n: 1 },
        { e: 'x', i: 'a', l: 0, t: 30, a: 0, qd: 30, c: 'deadline_exceeded', msg: 'too late' },
      ]),
    );
    expect(calls[0]!.segs).toEqual([0, 0, 30, 4, 30, 30]);
  });
});

describe('the report model', () => {
  const model = reportModel(run(), { pricing: new Pricing() });

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
    expect(model.header).toMatchObject({
      durationMs: 2500,
      finished: true,
      invocations: 1,
      models: ['gpt-4o-mini'],
    });
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
    expect(model.timeline).toMatchObject({
      mode: 'rows',
      shown: 3,
      total: 3,
      selection: undefined,
      endMs: 2500,
    });
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
    expect(model.cost.byModel).toEqual([
      expect.objectContaining({
        label: 'gpt-4o-mini',
        calls: 2,
        promptTokens: 200,
        completionTokens: 100,
        partial: false,
      }),
    ]);
    expect(model.cost.byStep).toEqual([]);
    expect(model.failures.groups).toEqual([
      { code: 'server_error', status: 500, message: 'boom', count: 1, examples: ['call-3'] },
    ]);
    expect(model.failures.first).toEqual([
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
    expect(model.series.retryReasons).toEqual([{ code: 'rate_limited', status: 429, count: 1 }]);
    expect(model.limits.lanes).toEqual([
      {
        label: 'openai at api.openai.com · gpt-4o-mini',
        model: 'gpt-4o-mini',
        rpm: 60,
        tpm: undefined,
        concurrency: 4,
      },
    ]);
  });

  it('shows tokens instead of a cost for a model without a price', () => {
    const other = records.map((r) => (r.e === 'lane' ? { ...r, m: 'my-local-model' } : r));
    const m = reportModel(run(other));
    expect(m.limits.lanes[0]!.label).toBe('openai at api.openai.com · my-local-model');
    expect(m.totals.costUsd).toBeUndefined();
    expect(m.totals.unpricedModels).toEqual(['my-local-model']);
    // The header names the model the lines used, not the command's default (meta.model).
    expect(m.header.models).toEqual(['my-local-model']);
    const page = renderReport(m);
    expect(page).toContain(' · model my-local-model');
    expect(page).not.toContain('gpt-4o-mini');
    expect(m.cost.byModel[0]).toMatchObject({
      label: 'my-local-model',
      costUsd: undefined,
      promptTokens: 200,
    });
  });

  it('covers every invocation of a resumed run, end to end, and marks where each began', () => {
    // The first invocation is killed after two calls were queued; the second runs them all.
    const first = records.slice(0, 6);
    const m = reportModel(run([...first, ...records]));
    expect(m.header).toMatchObject({ invocations: 2, finished: true, durationMs: 2500 });
    // The two calls the kill cut short were sent again: counted once, as interrupted.
    expect(m.totals).toMatchObject({
      invocations: 2,
      calls: 3,
      ok: 2,
      failed: 1,
      unfinished: 0,
      interrupted: 2,
      attempts: 5,
    });
    expect(m.header.notes.join(' ')).toMatch(/started 2 times/);
    expect(m.timeline.markers).toEqual([{ at: 0, label: 'run 2' }]);
  });

  it('counts the calls a stop cancelled as interrupted, not failed, and lists no failure for them', () => {
    const stopped: RunRecord[] = [
      ...records.slice(0, 6),
      { e: 'x', i: 'call-1', l: 0, t: 300, a: 1, lat: 300, c: 'aborted', msg: 'cancelled' },
      { e: 'x', i: 'call-2', l: 0, t: 300, a: 0, qd: 300, c: 'aborted', msg: 'cancelled' },
      { e: 'end', t: 300, wall: '' },
    ];
    const alone = reportModel(run(stopped));
    expect(alone.totals).toMatchObject({ calls: 0, ok: 0, failed: 0, unfinished: 0, interrupted: 2 });
    expect(alone.failures.total).toBe(0);
    const m = reportModel(run([...stopped, ...records]));
    expect(m.totals).toMatchObject({ calls: 3, ok: 2, failed: 1, unfinished: 0, interrupted: 2 });
    expect(rebuildCalls(run(stopped)).calls.map((c) => c.status)).toEqual(['unfinished', 'unfinished']);
  });

  it('does not let a no-op rerun shrink the run to its last invocation', () => {
    const noop: RunRecord[] = [
      { ...header, at: header.at + 60_000 },
      { e: 'end', t: 67, wall: '' },
    ];
    const m = reportModel(run([...records, ...noop]));
    expect(m.header.durationMs).toBe(2567);
    expect(m.totals).toMatchObject({ calls: 3, ok: 2, invocations: 2 });
    expect(m.totals.callsPerMinute).toBeGreaterThan(50);
  });

  it('says the record is unfinished without an end', () => {
    const m = reportModel(run(records.slice(0, 6)));
    expect(m.header.finished).toBe(false);
    expect(m.totals).toMatchObject({ calls: 2, ok: 0, unfinished: 2 });
    expect(m.header.notes.join(' ')).toMatch(/no end/);
  });

  it('reads a line that holds several records like the records one by one', () => {
    const grouped = decodeRun([records[0]!, records.slice(1, 8), ...records.slice(8)])!;
    expect(reportModel(grouped).totals).toEqual(model.totals);
  });
});

describe('a large run', () => {
  it('draws calls by state, with rows only for the slowest and the failed calls', () => {
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|m', m: 'm' }];
    for (let i = 0; i < 5000; i++) {
      const id = `c${i}`;
      list.push({ e: 'q', i: id, l: 0, t: i, n: 1 }, { e: 's', i: id, l: 0, t: i, a: 1 });
      if (i % 1000 === 7) list.push({ e: 'x', i: id, l: 0, t: i + 5, a: 1, c: 'timeout', msg: 'slow' });
      else list.push({ e: 'f', i: id, l: 0, t: i + 5 + (i % 97), a: 1, lat: 5 + (i % 97), qd: 0 });
    }
    const m = reportModel(run(list));
    const rows = m.timeline.groups[0]!.rows;
    expect(m.timeline).toMatchObject({ mode: 'aggregate', total: 5000, shown: 25 });
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(5);
    expect(rows.filter((r) => r.status === 'ok').every((r) => r.end - r.start === 101)).toBe(true);
    expect(m.timeline.selection).toMatch(
      /^5,000 calls are drawn above by state; the rows below are the 20 slowest, every failed call/,
    );
    expect(rows.map((r) => r.start)).toEqual([...rows.map((r) => r.start)].sort((a, b) => a - b));
    expect(m.totals.calls).toBe(5000);
  });

  it('never draws requests per minute above the limit, a full burst at the start included', () => {
    // 6,000 rpm: the budget lets 100 go at once, then 100 a second, for 3 s.
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|m', m: 'm' }];
    list.push({ e: 'ls', t: 0, l: 0, rpm: 6000, f: 0, q: 0, c: 100 });
    for (let i = 0; i < 400; i++) {
      const t = i < 100 ? 0 : Math.floor(((i - 100) * 1000) / 100);
      list.push({ e: 'q', i: `c${i}`, l: 0, t: 0 }, { e: 's', i: `c${i}`, l: 0, t, a: 1 });
      list.push({ e: 'f', i: `c${i}`, l: 0, t: t + 20, a: 1, lat: 20, qd: t });
    }
    const s = reportModel(run(list)).series;
    expect(Math.max(...s.sentPerMin)).toBeLessThanOrEqual(6000);
    expect(s.sentPerMin[s.count - 1]).toBeGreaterThan(5000);
    expect(s.rpmLimit.every((v) => v === 6000)).toBe(true);
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
    const m = reportModel(runFromTrace(trace), { trace });
    expect(m.totals).toMatchObject({ calls: 4, ok: 3, failed: 1, promptTokens: 30 });
    expect(m.timeline.groups.map((g) => [g.label, g.calls, g.critical])).toEqual([
      ['outline', 1, 1],
      ['sections[]/expand', 2, 1],
      ['summary', 1, 1],
    ]);
    const critical = m.timeline.groups.flatMap((g) => g.rows).filter((r) => r.critical);
    expect(critical.map((r) => r.label)).toEqual(['outline', 'sections[1]/expand', 'summary']);
    expect(m.timeline.critical).toBe(3);
    expect(m.cost.byStep.map((r) => r.label).sort()).toEqual(['outline', 'sections[]/expand', 'summary']);
    const outline = m.timeline.groups[0]!.rows[0]!;
    expect(outline.segments).toEqual([
      ['queued', 0, 10],
      ['done', 10, 300],
    ]);
    expect(m.failures.first[0]).toMatchObject({
      label: 'summary',
      code: 'timeout',
      message: 'took too long',
    });
  });

  it('shows a lane whose provider the record does not name by its model, never its internal key', () => {
    const list: RunRecord[] = [
      header,
      { e: 'lane', l: 0, k: 'openai:https://api.openai.com/v1#ab12|gpt-4o-mini', m: 'gpt-4o-mini' },
      { e: 'ls', t: 0, l: 0, rpm: 60, f: 0, q: 0, c: 4 },
    ];
    const m = reportModel(run(list));
    expect(m.limits.lanes.map((l) => l.label)).toEqual(['gpt-4o-mini']);
    expect(renderReport(m)).not.toContain('#ab12');
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
    const m = reportModel(run(list));
    expect(m.timeline.groups.map((g) => [g.label, g.rows.map((r) => r.label)])).toEqual([
      ['outline', ['outline · run 1', 'outline · run 2 #1', 'outline · run 2 #2']],
      ['(other calls)', ['call-5']],
    ]);
    expect(m.timeline.critical).toBe(0);
  });

  it('names the input of each flow call when the run gave it one, escaped in the id', () => {
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|m', m: 'm' }];
    const ids = [
      'flow:article#1@line-3/outline#1',
      `flow:article#2@${encodeURIComponent('topic/7 #b')}/sections[0]/write#2`,
      'flow:article#3@line-4/sections[0]/write#1',
    ];
    ids.forEach((i, t) => {
      list.push({ e: 'q', i, l: 0, t, n: 1 });
    });
    const m = reportModel(run(list));
    expect(m.timeline.groups.map((g) => [g.label, g.rows.map((r) => r.label)])).toEqual([
      ['outline', ['outline · line-3']],
      ['sections[]/write', ['sections[0]/write · topic/7 #b', 'sections[0]/write · line-4']],
    ]);
  });

  it("links a run record's flow calls to the trace by their ids", () => {
    const id = (path: string, n: number) => `flow:article#3/${path}#${n}`;
    const list: RunRecord[] = [header, { e: 'lane', l: 0, k: 'x|gpt-4o-mini', m: 'gpt-4o-mini' }];
    const paths = ['outline', 'sections[0]/expand', 'sections[1]/expand', 'summary'];
    paths.forEach((p, k) => {
      list.push({ e: 'q', i: id(p, k + 1), l: 0, t: k, n: 1 });
    });
    list.push({ e: 'q', i: 'call-99', l: 0, t: 5, n: 1 });
    const { calls } = rebuildCalls(decodeRun(list)!);
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
