import { describe, expect, it } from 'vitest';
import { tokenizerLoaded } from '../tokens/count.js';
import { dryRun, formatDryRun } from './dry-run.js';
import { Pricing } from './pricing.js';

describe('dry run', () => {
  const lines = [
    '"hello world"',
    '{"custom_id":"a","prompt":"hello world","max_tokens":10}',
    '{"custom_id":"a","prompt":"again"}',
    '{"custom_id":"b","body":{"model":"gpt-4o","messages":[{"role":"user","content":"hello world"}],"max_tokens":20}}',
    'not json',
  ];
  const pricing = new Pricing();

  it('has the tokenizer loaded before it reads the first line', async () => {
    const loadedAtFirstLine: boolean[] = [];
    function* source() {
      loadedAtFirstLine.push(tokenizerLoaded());
      yield* lines;
    }
    const report = await dryRun(source(), { model: 'gpt-4o-mini', outputTokens: 100, pricing });
    expect(loadedAtFirstLine).toEqual([true]);
    expect(report.items).toBe(3);
  });

  it('counts items, tokens and cost without sending, and the shortest duration at the limits', async () => {
    const report = await dryRun(lines, {
      model: 'gpt-4o-mini',
      outputTokens: 100,
      pricing,
      rpm: 60,
      tpm: 1000,
    });
    expect(report).toMatchObject({
      items: 3,
      badLines: 1,
      duplicates: 1,
      promptTokens: 24, // 8 per "hello world" message with the chat framing
      outputTokens: 130,
      itemsByModel: { 'gpt-4o-mini': 2, 'gpt-4o': 1 },
      unpricedModels: [],
    });
    expect(report.costUsd).toBeCloseTo((16 * 0.15 + 110 * 0.6 + 8 * 2.5 + 20 * 10) / 1e6);
    // 3 requests at 60 rpm = 3 s; 154 tokens at 1,000 tpm = 9.24 s: tokens bind.
    expect(report.shortestMs).toBeCloseTo(9240);
    expect(report.boundBy).toBe('tokens');
    const text = formatDryRun(report, { rpm: 60, tpm: 1000 });
    expect(text).toContain('at least 9.2 s at 60 rpm and 1,000 tpm (bound by tokens)');
    expect(text).toContain('bad line   line 5: malformed JSON');
  });

  it('says the duration is unknown without limits, and names unpriced models', async () => {
    const report = await dryRun(['"x"'], { model: 'local-llama', outputTokens: 10, pricing });
    expect(report.shortestMs).toBeUndefined();
    expect(formatDryRun(report, {})).toMatch(
      /no price for local-llama; pass --prices[\s\S]*duration {3}unknown/,
    );
  });
});

describe('the shipped example', () => {
  it('is all good lines, in every shape', async () => {
    const { readFileLines } = await import('./read-lines.js');
    const path = new URL('../../examples/prompts.jsonl', import.meta.url).pathname;
    const report = await dryRun(readFileLines(path), {
      model: 'gpt-4o-mini',
      outputTokens: 100,
      pricing: new Pricing(),
    });
    expect(report).toMatchObject({ items: 120, badLines: 0, duplicates: 0 });
  });
});
