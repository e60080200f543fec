import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptionError } from '../options/check.js';
import { Pricing, readPriceFile } from './index.js';

describe('Pricing', () => {
  const pricing = new Pricing({ 'my-model': { input: 1, output: 2 } });
  const usage = { promptTokens: 1_000_000, completionTokens: 500_000 };

  it('prices usage at the realtime tier, and a dated name as its longest known prefix', () => {
    expect(pricing.cost('my-model', usage)).toBe(2);
    expect(pricing.cost('gpt-4o-mini-2024-07-18', usage, 'realtime')).toBeCloseTo(0.45, 10);
    expect(pricing.cost('unknown-model', usage)).toBeUndefined();
    expect(pricing.usageCost('my-model', undefined)).toBeUndefined();
  });

  it('prices the Batch-API tier at half, unless the table gives a batch price', () => {
    expect(pricing.cost('my-model', usage, 'batch')).toBe(1);
    const own = new Pricing({ m: { input: 1, output: 2, batchInput: 0.1, batchOutput: 0.2 } });
    expect(own.cost('m', usage, 'batch')).toBeCloseTo(0.2, 10);
  });

  it('keeps the older (model, prompt, completion) form', () => {
    expect(pricing.cost('my-model', 1_000_000, 500_000)).toBe(2);
  });
});

describe('readPriceFile', () => {
  it('reads a table and rejects a bad entry as a usage error naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-prices-'));
    try {
      const good = join(dir, 'good.json');
      await writeFile(good, JSON.stringify({ m: { input: 0.1, output: 0.2, batchInput: 0.05 } }));
      expect((await readPriceFile(good))['m']!.batchInput).toBe(0.05);
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ m: { input: 0.1, output: -1 } }));
      await expect(readPriceFile(bad)).rejects.toThrow(OptionError);
      await expect(readPriceFile(bad)).rejects.toThrow(/'m' needs "output"/);
      await expect(readPriceFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the price file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
