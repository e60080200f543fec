import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from './options.js';
import { resolveSimulatorOptions } from './resolve-options.js';

describe('resolveSimulatorOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveSimulatorOptions();
    expect(resolved).toMatchObject({
      seed: 1,
      rpm: undefined,
      tpm: undefined,
      burstWindowMs: 1000,
      latencyMedianMs: 400,
      latencySpread: 0,
      msPerOutputToken: 0,
      outputTokens: 20,
      faults: { serverError: 0, unavailable: 0, reset: 0, hang: 0, malformed: 0 },
      apiKey: undefined,
      models: DEFAULT_MODELS,
      quotaExhausted: false,
      contextWindow: 128_000,
      hangMs: 600_000,
    });
    expect(resolved.models).toContain('gpt-4o-mini');
    expect(typeof resolved.clock.now()).toBe('number');
  });

  it('rejects unknown options, at the top and in faults', () => {
    expect(() => resolveSimulatorOptions({ rpmm: 5 } as never)).toThrow(
      new TypeError('Unknown simulator option "rpmm"'),
    );
    expect(() => resolveSimulatorOptions({ faults: { timeout: 0.1 } } as never)).toThrow(
      new TypeError('Unknown simulator option "faults.timeout"'),
    );
  });

  it.each([
    [{ rpm: 0 }, /"rpm" must be a positive finite number/],
    [{ tpm: Number.POSITIVE_INFINITY }, /"tpm" must be a positive finite number/],
    [{ burstWindowMs: -1 }, /"burstWindowMs"/],
    [{ latencyMedianMs: Number.NaN }, /"latencyMedianMs" must be a finite number >= 0/],
    [{ latencySpread: -0.1 }, /"latencySpread"/],
    [{ msPerOutputToken: -1 }, /"msPerOutputToken"/],
    [{ outputTokens: 2.5 }, /"outputTokens" must be a positive integer/],
    [{ contextWindow: 0 }, /"contextWindow"/],
    [{ hangMs: 0 }, /"hangMs"/],
    [{ seed: 1.5 }, /"seed" must be an integer/],
    [{ apiKey: '' }, /"apiKey" must be a non-empty string/],
    [{ models: ['ok', ''] }, /"models" must be an array of non-empty strings/],
    [{ quotaExhausted: 'yes' }, /"quotaExhausted" must be a boolean/],
    [{ clock: {} }, /"clock" must be an object with a now\(\) method/],
    [{ faults: { reset: 1.5 } }, /"faults.reset" must be a probability between 0 and 1/],
    [{ faults: { reset: 0.6, hang: 0.6 } }, /"faults" rates must add up to at most 1/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveSimulatorOptions(options as never)).toThrow(TypeError);
    expect(() => resolveSimulatorOptions(options as never)).toThrow(message);
  });

  it('accepts rates that add up to 1 despite rounding, and an empty model list', () => {
    const resolved = resolveSimulatorOptions({
      faults: { serverError: 0.1, reset: 0.2, hang: 0.7 },
      models: [],
    });
    expect(resolved.faults.hang).toBe(0.7);
    expect(resolved.models).toEqual([]);
  });
});
