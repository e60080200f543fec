/**
 * The client end to end: the official SDK over real HTTP against the built-in simulator, with
 * rate limits, faults, bad keys, timeouts and cancellation. Timing checks are ratios within a run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VolleyError } from '../errors.js';
import { openai } from '../providers/openai.js';
import { createSimulator } from '../simulator/handler.js';
import { listen, type SimulatorServer } from '../simulator/listen.js';
import type { SimulatorOptions } from '../simulator/options.js';
import type { VolleyOptions } from './options.js';
import { Volley } from './volley.js';

let servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(sim: SimulatorOptions, client: Partial<VolleyOptions> = {}, apiKey = 'test-key') {
  const simulator = createSimulator({ models: [], ...sim });
  const server = await listen(simulator);
  servers.push(server);
  const volley = new Volley({
    provider: openai({ baseURL: server.url, apiKey, env: {} }),
    model: 'm',
    ...client,
  });
  return { simulator, volley };
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `Tell me about item ${i}.` }));

describe('Volley over HTTP against the simulator', () => {
  it('reaches the learned requests-per-minute ceiling with almost no 429s', async () => {
    const { simulator, volley } = await start({ rpm: 1200, burstWindowMs: 1000, latencyMedianMs: 100 });
    // The first call loads the simulator's tokenizer; a second of refill gives the burst back.
    await volley.complete({ prompt: 'warm up' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const started = performance.now();
    const results = await volley.settle(prompts(80));
    const makespan = performance.now() - started;
    const stats = simulator.stats();
    expect(results.every((r) => r.ok)).toBe(true);
    // The first 20 go in the burst, then 20 per second: 3 s is the ceiling.
    const ceiling = ((80 - 20) / 1200) * 60_000;
    expect(makespan / ceiling).toBeLessThan(1.2);
    expect(makespan / ceiling).toBeGreaterThan(0.9); // it did not ignore the limit either
    expect(stats.rateLimited / stats.requests).toBeLessThanOrEqual(0.05);
    // The whole limit, less 2% for each 429 the budget did not predict.
    expect(volley.lanes()[0]?.rpm).toBeLessThanOrEqual(1200);
    expect(volley.lanes()[0]?.rpm).toBeGreaterThanOrEqual(1200 * 0.9);
    expect(stats.requests).toBe(81 + stats.rateLimited);
  });

  it('survives a 429 storm from a limit configured too high, pausing instead of hammering', async () => {
    const { simulator, volley } = await start(
      { rpm: 600, burstWindowMs: 200, latencyMedianMs: 20 },
      { limits: { rpm: 6000 } },
    );
    let pauses = 0;
    volley.on('rate-limited', () => pauses++);
    const results = await volley.settle(prompts(30));
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = simulator.stats();
    expect(pauses).toBeGreaterThan(0);
    // Each 429 pauses the whole lane, so the storm stays far below one 429 per call per attempt.
    expect(stats.rateLimited).toBeLessThan(30);
    expect(stats.duplicateSuccesses).toBe(0);
  });

  it('gets every prompt answered exactly once through 5xx, resets, malformed bodies and hangs', async () => {
    const faults = { serverError: 0.1, unavailable: 0.05, reset: 0.05, malformed: 0.05, hang: 0.05 };
    const { simulator, volley } = await start(
      { latencyMedianMs: 20, faults, seed: 7 },
      { timeout: 500, retry: { initialDelay: 10, maxDelay: 100, maxAttempts: 10 } },
    );
    const results = await volley.settle(prompts(60));
    const failures = results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code);
    expect(failures).toEqual([]);
    const stats = simulator.stats();
    expect(stats.successes).toBe(60);
    expect(stats.duplicateSuccesses).toBe(0);
    expect(stats.faults.total).toBeGreaterThan(5);
    const texts = new Set(results.map((r) => r.ok && r.value.text));
    expect(texts.size).toBe(60);
  });

  it('stops at once on a bad key, with one clear error per call and the key nowhere', async () => {
    const sentinel = 'sk-SENTINEL-0123456789abcdef';
    const { simulator, volley } = await start(
      { apiKey: 'sk-the-right-one', latencyMedianMs: 20 },
      {},
      sentinel,
    );
    const seen: string[] = [];
    volley.on('failed', (e) => seen.push(JSON.stringify(e.error), e.error.message, String(e.error.cause)));
    const results = await volley.settle(prompts(40));
    const errors = results.map((r) => (r.ok ? undefined : r.error));
    expect(errors.every((e) => e?.code === 'authentication')).toBe(true);
    expect(simulator.stats().requests).toBeLessThanOrEqual(4); // only the first wave was ever sent
    for (const error of errors as VolleyError[]) {
      seen.push(error.message, JSON.stringify(error), String(error.stack), JSON.stringify(error.toJSON()));
    }
    expect(seen.join('\n')).not.toContain(sentinel);
    expect(errors[0]?.message).toMatch(/API key/);
  });

  it('times out a hung attempt, retries it, and gives up with a timeout error after maxAttempts', async () => {
    const { simulator, volley } = await start(
      { latencyMedianMs: 10, faults: { hang: 1 } },
      { timeout: 200, retry: { maxAttempts: 2, initialDelay: 10 } },
    );
    const error = await volley.complete({ prompt: 'x' }).catch((e: VolleyError) => e);
    expect(error).toMatchObject({ code: 'timeout', attempts: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.stats().inFlight).toBe(0); // the aborts really reached the server
  });

  it('cancels in-flight calls through an AbortSignal and the server sees them go', async () => {
    const { simulator, volley } = await start({ latencyMedianMs: 5000 });
    const controller = new AbortController();
    const pending = volley.settle(prompts(3), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulator.stats().inFlight).toBe(3);
    controller.abort();
    const results = await pending;
    expect(results.map((r) => !r.ok && r.error.code)).toEqual(['aborted', 'aborted', 'aborted']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.stats().inFlight).toBe(0);
  });

  it('streams deltas through onDelta with usage reported', async () => {
    const { volley } = await start({ latencyMedianMs: 10, msPerOutputToken: 1 });
    const deltas: string[] = [];
    const result = await volley.complete({ prompt: 'List 3 ideas.' }, { onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(result.text);
    expect(result.text).toMatch(/^1\. .*\n2\. .*\n3\. /);
    expect(result.usage?.completionTokens).toBeGreaterThan(0);
  });
});
