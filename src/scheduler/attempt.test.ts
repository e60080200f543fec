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

  it('calls its one abort listener once, after the signal has aborted, or at once when already aborted', () => {
    const attempt = new Attempt(undefined);
    const { signal } = attempt;
    const seen: boolean[] = [];
    attempt.onAbort({ handleEvent: () => seen.push(signal.aborted) });
    attempt.abort();
    attempt.abort();
    expect(seen).toEqual([true]);
    const late: string[] = [];
    attempt.onAbort({ handleEvent: () => late.push('at once') });
    expect(late).toEqual(['at once']);
  });
});
