import { describe, expect, it } from 'vitest';
import { OptionError } from '../../options/check.js';
import { createSimulator } from '../handler.js';
import { resolveBatchOptions } from './resolve-options.js';

describe('batch options', () => {
  it('defaults to real time, and divides every duration by timeScale', () => {
    expect(resolveBatchOptions()).toMatchObject({
      timeScale: 1,
      windowMs: 86_400_000,
      validationMs: 5000,
      msPerLine: 1000,
      enqueuedTokenLimit: undefined,
      faults: { lines: [], stall: undefined },
    });
    expect(resolveBatchOptions({ timeScale: 3600, msPerLine: 3600 })).toMatchObject({
      windowMs: 24_000,
      msPerLine: 1,
    });
  });

  it('reads notFoundOnFirstRetrieve: true as every batch', () => {
    expect(
      resolveBatchOptions({ faults: { notFoundOnFirstRetrieve: true } }).faults.notFoundOnFirstRetrieve,
    ).toEqual({});
  });

  it.each([
    [{ timeScal: 2 }, /Unknown option `batches.timeScal`. Did you mean `batches.timeScale`\?/],
    [{ timeScale: 0 }, /`batches.timeScale` to be a number greater than 0, got 0/],
    [{ msPerLine: -1 }, /`batches.msPerLine` to be a number of at least 0/],
    [{ enqueuedTokenLimit: 1.5 }, /`batches.enqueuedTokenLimit` to be a whole number/],
    [{ faults: { line: [] } }, /Did you mean `batches.faults.lines`\?/],
    [
      { faults: { lines: [{ rate: 2, kind: 'server_error' }] } },
      /`batches.faults.lines\[0\].rate` to be a number from 0 to 1/,
    ],
    [{ faults: { lines: [{ rate: 0.1, kind: 'server_eror' }] } }, /Did you mean 'server_error'\?/],
    [
      { faults: { stall: { afterLines: 1, batches: [0] } } },
      /`batches.faults.stall.batches\[0\]` to be a whole number/,
    ],
    [{ faults: { invalidLines: { lines: 'all' } } }, /`batches.faults.invalidLines.lines` to be an array/],
  ])('refuses %j, naming the option', (batches, message) => {
    expect(() => createSimulator({ batches: batches as never })).toThrow(OptionError);
    expect(() => createSimulator({ batches: batches as never })).toThrow(message);
  });
});
