/**
 * Start-up pays for no SDK: importing Volley loads none; each SDK is imported once, when the first
 * provider that speaks it is built, and its first send waits for it.
 */
import { describe, expect, it, vi } from 'vitest';
import { ANTHROPIC, live, OPENAI, request, setup } from './test-support/cases.js';
import { json } from './test-support/doubles.js';

const loads = vi.hoisted(() => ({ openai: 0, anthropic: 0 }));
vi.mock('openai', async (original) => {
  loads.openai++;
  return await original();
});
vi.mock('@anthropic-ai/sdk', async (original) => {
  loads.anthropic++;
  return await original();
});

describe('loading the SDKs', () => {
  it('loads none for the public surface', async () => {
    await import('../index.js');
    expect(loads).toEqual({ openai: 0, anthropic: 0 });
  });

  it('loads each SDK once, for the first provider that speaks it', async () => {
    for (let i = 0; i < 2; i++) {
      await setup(OPENAI, () => json(OPENAI.answer('x'))).provider.send(request(), { signal: live() });
    }
    expect(loads).toEqual({ openai: 1, anthropic: 0 });
    for (let i = 0; i < 2; i++) {
      await setup(ANTHROPIC, () => json(ANTHROPIC.answer('x'))).provider.send(request(), { signal: live() });
    }
    expect(loads).toEqual({ openai: 1, anthropic: 1 });
  });
});
