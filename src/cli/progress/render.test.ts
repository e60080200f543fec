import { describe, expect, it } from 'vitest';
import { renderBar, renderLine } from './render.js';
import type { ProgressSnapshot } from './tracker.js';

const snapshot: ProgressSnapshot = {
  done: 4210,
  total: 10_000,
  inFlight: 40,
  failed: 2,
  rateLimited: 3,
  retries: 5,
  rpm: 5980,
  tpm: 1_234_567,
  rpmLimit: 6000,
  tpmLimit: 2_000_000,
  costUsd: 0.0123,
  elapsedMs: 42_000,
  etaMs: 58_000,
};

describe('progress rendering', () => {
  it('draws a bar with done/total, rates against limits, ETA, 429s, retries, failures and spend', () => {
    const bar = renderBar(snapshot, 160);
    expect(bar).toMatch(/^\[#+\.+\] 4,210\/10,000 42%/);
    expect(bar).toContain('5,980/6,000 rpm');
    expect(bar).toContain('1.23M/2M tpm');
    expect(bar).toContain('ETA 58 s');
    expect(bar).toContain('429s 3  retries 5  failed 2  $0.01');
    expect(bar.length).toBeLessThan(160);
  });

  it('drops the least needed pieces first to fit a narrow terminal', () => {
    const bar = renderBar(snapshot, 80);
    expect(bar.length).toBeLessThan(80);
    expect(bar).toBe('[#####.......] 4,210/10,000 42%  5,980/6,000 rpm  ETA 58 s  failed 2  $0.01');
    expect(renderBar(snapshot, 40)).toBe('[#####.......] 4,210/10,000 42%');
  });

  it('writes a plain line for logs', () => {
    expect(renderLine(snapshot)).toBe(
      '[42 s] 4,210/10,000 done (42.1%), 40 in flight, 5,980/6,000 rpm, 1,234,567/2,000,000 tpm, ' +
        '429s 3, retries 5, failed 2, $0.01, ETA 58 s',
    );
  });
});
