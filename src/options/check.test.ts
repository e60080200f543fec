import { describe, expect, it } from 'vitest';
import { didYouMean, OptionError, oneOf, positive, rejectUnknown, wholePositive } from './check.js';

describe('checkOptions', () => {
  it.each([
    ['rmp', ['rpm', 'tpm', 'concurrency'], 'rpm'],
    ['concurency', ['rpm', 'tpm', 'concurrency'], 'concurrency'],
    ['zzz', ['rpm', 'tpm'], undefined],
    ['max-atempts', ['max-attempts', 'max-cost'], 'max-attempts'],
  ])('suggests %s → %s', (word, known, expected) => {
    expect(didYouMean(word, known)).toBe(expected);
  });

  it('names an unknown option with a did-you-mean, or lists the known ones', () => {
    expect(() => rejectUnknown({ rmp: 1 }, ['rpm', 'tpm'], (k) => `limits.${k}`)).toThrow(
      'Unknown option limits.rmp. Did you mean limits.rpm?',
    );
    expect(() => rejectUnknown({ zzz: 1 }, ['rpm', 'tpm'])).toThrow('Known: `rpm`, `tpm`.');
    expect(() => rejectUnknown({ rpm: 1 }, ['rpm'])).not.toThrow();
  });

  it('checks values and says what it got', () => {
    expect(positive('timeout', 5)).toBe(5);
    expect(positive('timeout', undefined)).toBeUndefined();
    expect(() => positive('timeout', -1)).toThrow(OptionError);
    expect(() => wholePositive('limits.concurrency', 1.5)).toThrow(
      'Expected `limits.concurrency` to be a whole number of at least 1, got 1.5.',
    );
    expect(oneOf('order', 'input', ['input', 'completion'])).toBe('input');
    expect(() => oneOf('order', 'inptu', ['input', 'completion'])).toThrow("Did you mean 'input'?");
  });
});
