import { describe, expect, it } from 'vitest';
import { countMessageTokens, countTextTokens } from './count.js';

describe('token counting', () => {
  it('counts text with a real tokenizer, not characters', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('hello world')).toBe(2);
    // A long word of repeated letters is far fewer tokens than characters.
    expect(countTextTokens('a'.repeat(400))).toBeLessThan(100);
  });

  it('adds the chat framing per message', () => {
    const one = countMessageTokens([{ role: 'user', content: 'hello world' }]);
    const two = countMessageTokens([
      { role: 'system', content: 'hello world' },
      { role: 'user', content: 'hello world' },
    ]);
    expect(one).toBe(2 + 3 + 3);
    expect(two - one).toBe(2 + 3);
  });

  it('counts the text parts of multi-part content', () => {
    const parts = [
      { type: 'text', text: 'hello world' },
      { type: 'image_url', image_url: { url: 'x' } },
    ];
    expect(countMessageTokens([{ role: 'user', content: parts }])).toBe(8);
  });
});
