import { describe, expect, it } from 'vitest';
import { Pricing } from '../pricing/index.js';
import { estimate } from './estimate.js';

describe('estimate', () => {
  const pricing = new Pricing({ m: { input: 1, output: 1 } });
  const item = estimate({ prompt: 'hello world', maxTokens: 90 }, 'm', 256, pricing);

  it('estimates prompt tokens with the tokenizer and output from max_tokens', () => {
    expect(item).toMatchObject({ model: 'm', promptTokens: 8, outputTokens: 90 });
    expect(item.costUsd).toBeCloseTo(98 / 1e6);
  });
});
