import { describe, expect, it } from 'vitest';
import { Attempt } from './attempt.js';

describe('Attempt', () => {
  it('makes its signal only when read, born aborted when aborted before', () => {
    const early = new Attempt(undefined);
    early.abort();
    expect(early.signal.aborted).toBe(true);
    const late = new Attempt(undefined);
    const { signal } = late;
    expect(signal.aborted).toBe(false);
    late.abort();
    expect(signal.aborted).toBe(true);
    expect(late.signal).toBe(signal);
  });
});
