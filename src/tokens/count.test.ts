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

describe('estimates before the tokenizer is loaded', () => {
  it('loads it once in the background, and estimates towards too many tokens until then', async () => {
    const { estimateMessageTokens, loadTokenizer, tokenizerLoaded } = await import('./count.js');
    const messages = [{ role: 'user' as const, content: 'Say something about item 12.' }];
    const exact = countMessageTokens(messages); // loads it synchronously
    expect(tokenizerLoaded()).toBe(true);
    expect(estimateMessageTokens(messages)).toEqual({ tokens: exact, exact: true });
    await expect(loadTokenizer()).resolves.toBeUndefined();
    expect(loadTokenizer()).toBe(loadTokenizer());
  });
});
