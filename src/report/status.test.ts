import { describe, expect, it } from 'vitest';
import { Pricing } from '../pricing/index.js';
import type { RunRecord } from './format.js';
import { collectRun } from './read.js';
import { computeStatus, formatStatus, journalStatus } from './status.js';

const START = Date.parse('2024-05-01T10:00:00.000Z');
const pricing = new Pricing();

/** 20 calls over 20 s, 12 done by t = 12 s (one failed), a 429 and a retry; 8 still queued or in flight. */
function records(): RunRecord[] {
  const list: RunRecord[] = [
    {
      e: 'run',
      v: 1,
      at: START,
      wall: new Date(START).toISOString(),
      meta: { command: 'volley run in.jsonl --out out.jsonl', total: 20 },
      limits: {},
    },
    { e: 'lane', l: 0, k: 'openai:https://api.openai.com/v1#ab|gpt-4o-mini', m: 'gpt-4o-mini' },
  ];
  for (let k = 0; k < 20; k++) list.push({ e: 'q', i: `c${k}`, l: 0, t: 0, n: 100 });
  for (let k = 0; k < 14; k++) {
    list.push({ e: 's', i: `c${k}`, l: 0, t: k * 1000, a: 1 });
    if (k === 3) {
      list.push({ e: 'r', i: 'c3', l: 0, t: 3500, ms: 1000, st: 429 });
      list.push({ e: 'y', i: 'c3', l: 0, t: 3500, a: 1, ms: 1000, c: 'rate_limited', st: 429 });
      list.push({ e: 's', i: 'c3', l: 0, t: 4600, a: 2 });
    }
    if (k < 12) {
      const t = k * 1000 + 900;
      if (k === 5) list.push({ e: 'x', i: 'c5', l: 0, t, a: 1, c: 'server_error', st: 500, msg: 'boom' });
      else
        list.push({ e: 'f', i: `c${k}`, l: 0, t, a: k === 3 ? 2 : 1, lat: 900, qd: 0, in: 1000, out: 1000 });
    }
    list.push({ e: 'ls', t: k * 1000, l: 0, rpm: 500, tpm: 200_000, f: 1, q: 20 - k, c: 4 });
  }
  return list;
}

describe('computeStatus', () => {
  it('gives a running run the live bar numbers: done/total, rates over the last 10 s, ETA', () => {
    const run = collectRun(records())!;
    const s = computeStatus(run, { pricing, now: START + 14_000 });
    expect(s).toMatchObject({
      state: 'running',
      elapsedMs: 14_000,
      done: 12,
      total: 20,
      ok: 11,
      failed: 1,
      inFlight: 2, // c12 and c13
      queued: 6,
      rateOver: 'last 10 s',
      rpmLimit: 500,
      tpmLimit: 200_000,
      rateLimited: 1,
      retries: 1,
      failuresByCode: [['server_error', 1]],
      promptTokens: 11_000,
      completionTokens: 11_000,
      unpricedModels: [],
    });
    // Attempts started in the last 10 s of the record (3 s to 13 s): c4..c13 plus c3's retry.
    expect(s.rpm).toBeCloseTo(66, 0);
    // 12 done in 14 s, 8 left: 9.3 s more.
    expect(s.etaMs).toBeCloseTo((8 / 12) * 14_000, -1);
    expect(s.costUsd).toBeCloseTo((11_000 * 0.15 + 11_000 * 0.6) / 1e6, 10);
    const text = formatStatus(s, 10);
    expect(text).toContain('volley run in.jsonl --out out.jsonl');
    expect(text).toContain('state     running · started 2024-05-01 10:00:00 UTC');
    expect(text).toContain('done      12/20 (60.0%) [######....]');
    expect(text).toMatch(/rate {6}66\/500 rpm · [\d,]+\/200,000 tpm \(last 10 s\) · 51 calls\/min/);
    expect(text).toContain('calls     11 ok · 1 failed (server_error 1) · 2 in flight · 6 queued');
    expect(text).toContain('429s      1 · retries 1');
    expect(text).toContain('elapsed   14 s · ETA 9.3 s');
    expect(text).toContain('spend     $0.0082');
  });

  it('says a run that stopped writing without an end has probably stopped', () => {
    const s = computeStatus(collectRun(records())!, { pricing, now: START + 120_000 });
    expect(s.state).toBe('stalled');
    expect(s.silentMs).toBe(107_000);
    expect(formatStatus(s)).toContain('not finished, but nothing recorded for 1m 47s');
  });

  it('averages over a finished run and gives no ETA', () => {
    const list = [...records(), { e: 'end', t: 20_000, wall: '' } as RunRecord];
    const s = computeStatus(collectRun(list)!, { pricing, now: START + 999_999 });
    expect(s).toMatchObject({ state: 'finished', elapsedMs: 20_000, rateOver: 'average', etaMs: undefined });
    expect(s.rpm).toBeCloseTo((15 * 60) / 20);
    expect(formatStatus(s)).not.toContain('in flight');
  });
});

describe('journalStatus', () => {
  const lines = [
    {
      error: null,
      attempts: 1,
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 10, completion_tokens: 5 },
      cost_usd: 0.001,
    },
    {
      error: null,
      attempts: 3,
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 10, completion_tokens: 5 },
      cost_usd: 0.001,
    },
    { error: { code: 'timeout' }, attempts: 6, model: 'gpt-4o-mini', usage: null, cost_usd: null },
    { error: { code: 'invalid_input' }, attempts: 0, model: null, usage: null, cost_usd: null },
  ];

  it('counts every run of a batch from its journal alone, without 429s', () => {
    const s = journalStatus(lines, { createdAt: START, modifiedAt: START + 60_000 }, undefined, {
      pricing,
      now: START + 61_000,
    });
    expect(s).toMatchObject({
      state: 'running',
      done: 4,
      ok: 2,
      failed: 1,
      retries: 7,
      rateLimited: undefined,
      promptTokens: 20,
      completionTokens: 10,
      costUsd: 0.002,
      elapsedMs: 60_000,
      rpm: 10, // 10 attempts in a minute
    });
    expect(formatStatus(s)).toContain('429s      unknown (no run record) · retries 7');
  });

  it('takes the live figures from the run record next to the journal', () => {
    const live = computeStatus(collectRun(records())!, { pricing, now: START + 14_000 });
    const s = journalStatus(lines, { createdAt: START, modifiedAt: START + 14_000 }, live, {
      pricing,
      now: START + 14_000,
    });
    expect(s).toMatchObject({
      done: 4,
      total: 20,
      rateLimited: 1,
      rpmLimit: 500,
      inFlight: 2,
      state: 'running',
    });
  });
});
