import { describe, expect, it } from 'vitest';
import type { LaneSnapshot } from '../client/types.js';
import { RecordTally } from '../records/tally.js';
import type { OutputRecord } from '../records/types.js';
import { formatSummary, summarize } from './summary.js';

function record(line: number, latency: number, error: string | null = null): OutputRecord {
  return {
    id: `batch_req_${line}`,
    custom_id: `line-${line}`,
    response: error ? null : { status_code: 200, request_id: null, body: {} },
    error: error ? { code: error, message: 'x' } : null,
    line,
    model: 'gpt-4o-mini',
    attempts: error ? 6 : 1,
    latency_ms: error ? null : latency,
    queued_ms: 0,
    usage: error ? null : { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    cost_usd: error ? null : 0.001,
  };
}

describe('summary', () => {
  it('reports counts by outcome, tokens, cost, throughput against the ceiling and the slowest items', () => {
    const stats = new RecordTally(0);
    stats.total = 122;
    for (let i = 1; i <= 118; i++) stats.record(record(i, i), 0);
    stats.record(record(119, 0, 'server_error'), 0);
    stats.record(record(120, 0, 'timeout'), 0);
    stats.record(record(121, 0, 'invalid_input'), 0);
    stats.record(record(122, 0, 'duplicate_custom_id'), 60_000);
    const lane = { rpm: 150, tpm: undefined } as unknown as LaneSnapshot;
    const files = { out: 'out.jsonl', errors: 'out.errors.jsonl', journal: 'out.journal.jsonl' };
    const summary = summarize(
      stats,
      [lane],
      { rpm: undefined, tpm: undefined },
      { outcome: 'completed', reason: undefined, files },
    );
    expect(summary).toMatchObject({
      done: 122,
      counts: { ok: 118, failed: 2, invalid: 1, duplicate: 1 },
      failuresByCode: { server_error: 1, timeout: 1 },
      promptTokens: 1180,
      makespanMs: 60_000,
      ceilingRpm: 150,
    });
    expect(summary.costUsd).toBeCloseTo(0.118);
    // 120 calls over a minute, with the one second of burst the budget allows (src/format/rate.ts).
    expect(summary.requestsPerMinute).toBeCloseTo((120 * 60) / 61, 6);
    expect(summary.slowest.map((s) => s.latency_ms)).toEqual([118, 117, 116, 115, 114]);
    const text = formatSummary(summary);
    expect(text).toContain(
      '122 of 122 done: 118 answered, 2 failed (server_error 1, timeout 1), 1 bad lines, 1 repeated custom_ids',
    );
    expect(text).toContain('118 requests/min = 78.7% of the 150 rpm ceiling');
    expect(text).toContain('cost       $0.12');
    expect(text).toContain('slowest    line-118 118 ms');
  });
});
