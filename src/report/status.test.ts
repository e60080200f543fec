import { describe, expect, it } from 'vitest';
import { Pricing } from '../pricing/index.js';
import { RecordTally } from '../records/tally.js';
import type { OutputRecord } from '../records/types.js';
import { decodeRun } from './decode.js';
import type { RunRecord } from './record-format.js';
import { tallyRun } from './run-tally.js';
import { formatStatus, journalStatus, recordStatus } from './status.js';

const START = Date.parse('2024-05-01T10:00:00.000Z');
const pricing = new Pricing();

function computeStatus(list: RunRecord[], now: number) {
  const run = decodeRun(list)!;
  return recordStatus(run, tallyRun(run, pricing), now);
}

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

describe('the status of a run record', () => {
  it('gives a running run the live bar numbers: done/total, rates over the last minute, ETA', () => {
    const s = computeStatus(records(), START + 14_000);
    expect(s).toMatchObject({
      state: 'running',
      elapsedMs: 14_000,
      done: 12,
      total: 20,
      ok: 11,
      failed: 1,
      inFlight: 2, // c12 and c13
      queued: 6,
      rateOver: 'last minute',
      invocations: 1,
      attempts: 15,
      rpmLimit: 500,
      tpmLimit: 200_000,
      rateLimited: 1,
      retries: 1,
      failuresByCode: [['server_error', 1]],
      promptTokens: 11_000,
      completionTokens: 11_000,
      unpricedModels: [],
    });
    // 15 attempts in the 13 s up to the last record, with the one second of burst: 15 / 14 s.
    expect(s.rpm).toBeCloseTo((15 * 60) / 14, 6);
    // 12 done in 14 s (and the second of burst), 8 left: 10 s more.
    expect(s.etaMs).toBeCloseTo(10_000, 6);
    expect(s.costUsd).toBeCloseTo((11_000 * 0.15 + 11_000 * 0.6) / 1e6, 10);
    const text = formatStatus(s, 10);
    expect(text).toContain('volley run in.jsonl --out out.jsonl');
    expect(text).toContain('state     running · started 2024-05-01 10:00:00 UTC');
    expect(text).toContain('done      12/20 (60.0%) [######....]');
    expect(text).toMatch(/rate {6}64\/500 rpm · [\d,]+\/200,000 tpm \(last minute\) · 48 calls\/min/);
    expect(text).toContain('calls     11 ok · 1 failed (server_error 1) · 2 in flight · 6 queued');
    expect(text).toContain('429s      1 · retries 1 · 15 requests sent');
    expect(text).toContain('elapsed   14 s · ETA 10 s');
    expect(text).toMatch(/spend {5}\$0\.008[23]\n/);
  });

  it('says a run that stopped writing without an end has probably stopped', () => {
    const s = computeStatus(records(), START + 120_000);
    expect(s.state).toBe('stalled');
    expect(s.silentMs).toBe(107_000);
    expect(formatStatus(s)).toContain('not finished, but nothing recorded for 1m 47s');
  });

  it('averages over an ended run and gives no ETA; with lines left it says it stopped', () => {
    const list = [...records(), { e: 'end', t: 20_000, wall: '' } as RunRecord];
    const s = computeStatus(list, START + 999_999);
    expect(s).toMatchObject({ state: 'stopped', elapsedMs: 20_000, rateOver: 'average', etaMs: undefined });
    expect(formatStatus(s)).toContain('stopped with 8 lines left: rerun its command to resume');
    expect(s.rpm).toBeCloseTo((15 * 60) / 21); // the one rate rule: a second of burst allowed
    expect(formatStatus(s)).not.toContain('in flight');
  });
});

describe('journalStatus', () => {
  const lines = (
    [
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
    ] as Array<Partial<OutputRecord>>
  ).map((r, k) => ({ custom_id: `l${k}`, line: k + 1, latency_ms: null, ...r }) as OutputRecord);
  const tally = () => {
    const t = new RecordTally(0);
    for (const line of lines) t.record(line, 0);
    return t;
  };

  it('counts every run of a batch from its journal alone, without 429s', () => {
    const s = journalStatus(
      tally(),
      { createdAt: START, modifiedAt: START + 60_000, invocations: 2 },
      undefined,
      START + 61_000,
    );
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
      attempts: 10,
      invocations: 2,
    });
    expect(formatStatus(s)).toContain('429s      unknown (no run record) · retries 7 · 10 requests sent');
  });

  it('takes the live figures from the run record next to the journal', () => {
    const live = computeStatus(records(), START + 14_000);
    const journal = { createdAt: START, modifiedAt: START + 14_000, invocations: 1 };
    const s = journalStatus(tally(), journal, live, START + 14_000);
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
