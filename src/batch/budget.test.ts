import { describe, expect, it } from 'vitest';
import { Budget, estimate } from './budget.js';
import { Pricing } from './pricing.js';

describe('pricing', () => {
  it('prices a dated model name as its longest known prefix, and overrides win', () => {
    const pricing = new Pricing({ 'my-model': { input: 1, output: 2 } });
    expect(pricing.price('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(pricing.price('gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(pricing.cost('my-model', 1_000_000, 500_000)).toBe(2);
    expect(pricing.cost('unknown-model', 10, 10)).toBeUndefined();
  });
});

describe('budget', () => {
  const pricing = new Pricing({ m: { input: 1, output: 1 } });
  const item = estimate({ prompt: 'hello world', maxTokens: 90 }, 'm', 256, pricing);

  it('estimates prompt tokens with the tokenizer and output from max_tokens', () => {
    expect(item).toMatchObject({ model: 'm', promptTokens: 8, outputTokens: 90 });
    expect(item.costUsd).toBeCloseTo(98 / 1e6);
  });

  it('admits items while spent + reserved + the next fits, then stops for good', () => {
    const budget = new Budget({ maxTokens: 300 }, { tokens: 50, costUsd: 0 });
    expect(budget.admit(item)).toBe(true); // 50 + 98
    expect(budget.admit(item)).toBe(true); // 50 + 196
    expect(budget.admit(item)).toBe(false); // 50 + 294 > 300
    expect(budget.reached).toBe('tokens');
    budget.settle(item, { tokens: 10, costUsd: 0 });
    expect(budget.admit(item)).toBe(false); // stays stopped
    expect(budget.spentTokens).toBe(60);
  });

  it('stops on cost', () => {
    const budget = new Budget({ maxCostUsd: 150 / 1e6 });
    expect(budget.admit(item)).toBe(true);
    expect(budget.admit(item)).toBe(false);
    expect(budget.reached).toBe('cost');
  });
});
