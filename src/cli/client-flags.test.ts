import { describe, expect, it } from 'vitest';
import { clientFromFlags } from './client-flags.js';
import { testIO } from './test-support/test-io.js';

describe('clientFromFlags', () => {
  it('gives the client every limit and timeout the flags name, in milliseconds', async () => {
    const io = testIO({ env: { OPENAI_API_KEY: 'k' } });
    const client = await clientFromFlags(
      {
        rpm: '600',
        tpm: '90000',
        concurrency: '8',
        timeout: '30s',
        deadline: '2m',
        'max-attempts': '3',
        'max-outage': '90s',
      },
      io,
    );
    expect(client.volley.options).toMatchObject({
      rpm: 600,
      tpm: 90_000,
      concurrency: 8,
      timeout: 30_000,
      deadline: 120_000,
      maxAttempts: 3,
      maxOutage: 90_000,
    });
    await client.close();
  });

  it('says what answers: provider, server, key fingerprint, simulator, model', async () => {
    const key = 'sk-identity-0123456789';
    const real = await clientFromFlags(
      { provider: 'anthropic', 'base-url': 'http://127.0.0.1:9', model: 'claude-haiku-4-5' },
      testIO({ env: { ANTHROPIC_API_KEY: key } }),
    );
    expect(real.identity).toMatchObject({
      provider: 'anthropic',
      simulator: false,
      model: 'claude-haiku-4-5',
    });
    expect(real.identity.baseURL).toContain('127.0.0.1:9');
    expect(JSON.stringify(real.identity)).not.toContain(key);

    const sim = await clientFromFlags({ sim: true }, testIO());
    try {
      expect(sim.identity).toMatchObject({ provider: 'openai', simulator: true, model: 'gpt-4o-mini' });
      expect(sim.description).toMatch(/^the built-in simulator at http:\/\/127\.0\.0\.1:\d+\/v1$/);
    } finally {
      await sim.close();
    }
  });
});
