import { describe, expect, it } from 'vitest';
import { messageBatchTimeline } from '../anthropic/batch-timeline.js';
import { type LinePlan, linesDone } from './line-plan.js';
import { openaiTimeline, statusAt } from './openai-timeline.js';

// 4 lines of 10 ms from 100 (validation 0..100), a window closing at 1000.
const plan = (limit = 4): LinePlan => ({ total: 4, startAt: 100, msPerLine: 10, limit, expiresAt: 1000 });
const timeline = (options: { valid?: boolean; cancelAt?: number; limit?: number } = {}, now = 10_000) =>
  openaiTimeline(
    {
      createdAt: 0,
      validatedAt: 100,
      valid: () => options.valid ?? true,
      plan: plan(options.limit),
      finalizingMs: 5,
      cancellingMs: 50,
      cancelAt: options.cancelAt,
    },
    now,
  );
const steps = (t: ReturnType<typeof timeline>) =>
  t.steps.map(({ status, at }) => `${status}@${at}`).join(' ');

describe('the OpenAI batch timeline', () => {
  it.each([
    [{}, 'validating@0 in_progress@100 finalizing@140 completed@145', 4],
    [{ valid: false }, 'validating@0 failed@100', 0],
    [{ cancelAt: 50 }, 'validating@0 cancelling@50 cancelled@100', 0],
    [{ cancelAt: 125 }, 'validating@0 in_progress@100 cancelling@125 cancelled@175', 2],
    [{ cancelAt: 142 }, 'validating@0 in_progress@100 finalizing@140 completed@145', 4], // too late
    [{ limit: 3 }, 'validating@0 in_progress@100 expired@1000', 3],
  ])('%j: %s', (options, expected, linesRun) => {
    const t = timeline(options);
    expect(steps(t)).toBe(expected);
    expect(t.linesRun).toBe(linesRun);
  });

  it('does not ask whether validation passes before it has ended', () => {
    let asked = false;
    const input = {
      createdAt: 0,
      validatedAt: 100,
      plan: plan(),
      finalizingMs: 5,
      cancellingMs: 50,
      cancelAt: undefined,
    };
    const early = openaiTimeline({ ...input, valid: () => (asked = true) }, 99);
    expect(asked).toBe(false);
    expect(statusAt(early, 99)).toEqual({ status: 'validating', since: 0 });
  });

  it('counts a line done exactly when its time comes, whatever the float noise', () => {
    const scaled: LinePlan = {
      total: 1200,
      startAt: 5 / 3600,
      msPerLine: 1000 / 3600,
      limit: 1200,
      expiresAt: 24_000,
    };
    expect(linesDone(scaled, scaled.startAt + 3 * scaled.msPerLine)).toBe(3);
    expect(linesDone(scaled, scaled.startAt + 3 * scaled.msPerLine - 1e-6)).toBe(2);
  });
});

describe('the Anthropic message batch timeline', () => {
  const anthropicPlan = { ...plan(), startAt: 0 };
  it.each([
    [undefined, plan().limit, 'in_progress@0 ended@40', 4, 'expired'],
    [25, 4, 'in_progress@0 canceling@25 ended@75', 2, 'canceled'],
    [undefined, 1, 'in_progress@0 ended@1000', 1, 'expired'],
  ])('cancel at %s, stall after %s: %s', (cancelAt, limit, expected, linesRun, rest) => {
    const t = messageBatchTimeline({ ...anthropicPlan, limit }, cancelAt, 50);
    expect(t.steps.map(({ status, at }) => `${status}@${at}`).join(' ')).toBe(expected);
    expect(t).toMatchObject({ linesRun, rest });
  });
});
