/**
 * The client end to end through the official SDK against the simulator: rate limits, faults, bad
 * keys, timeouts, cancellation and streaming. Every timing is on a manual clock with the simulator
 * in process (the SDK's `fetch` is the simulator's), so the figures are exact on any machine; one
 * smoke test goes over real HTTP and asserts only what cannot vary.
 */
import 'openai'; // loaded before the manual clock runs: the provider imports it on first use, in real time
import { afterEach, describe, expect, it } from 'vitest';
import type { VolleyError } from '../errors.js';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { listen, type SimulatorServer } from '../simulator/listen.js';
import type { SimulatorOptions } from '../simulator/options.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';
import { countMessageTokens } from '../tokens/count.js';
import type { VolleyOptions } from './options.js';
import { Volley } from './volley.js';

function simulated(sim: SimulatorOptions, client: Partial<VolleyOptions> = {}, apiKey = 'test-key') {
  const clock = new ManualClock();
  const simulator = createSimulator({ models: [], clock, ...sim });
  const volley = new Volley({
    provider: openai({ baseURL: 'http://simulator/v1', apiKey, env: {}, fetch: simulator.fetch }),
    model: 'm',
    clock,
    random: () => 0.5,
    ...client,
  });
  return { clock, simulator, volley };
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `Tell me about item ${i}.` }));

describe('Volley through the SDK against the simulator (manual clock)', () => {
  it('reaches the learned requests-per-minute ceiling from the first millisecond, with one or two 429s', async () => {
    const { clock, simulator, volley } = simulated({ rpm: 1200, burstWindowMs: 1000, latencyMedianMs: 100 });
    const results = await settleOn(clock, volley.settle(prompts(80)));
    expect(results.every((r) => r.ok)).toBe(true);
    const starts = results.map((r) => (r.ok ? r.value.timings.startedAt : -1)).sort((a, b) => a - b);
    // The burst of 20 is spent by the end of the first latency: 8 at once, a step every 10 ms, and
    // the rest as soon as the first answers' headers tell the limits...
    expect(starts[19]).toBeLessThanOrEqual(100);
    // ...its first 429 comes back at once with the limits, and from then on one goes every 50 ms.
    const ideal = 100 + ((80 - 20) / 1200) * 60_000; // the last answer, at the ceiling
    const makespan = Math.max(...results.map((r) => (r.ok ? r.value.timings.finishedAt : 0)));
    expect(makespan).toBeGreaterThanOrEqual(ideal);
    expect(makespan).toBeLessThanOrEqual(ideal * 1.02);
    const stats = simulator.stats();
    expect(stats.rateLimited).toBeLessThanOrEqual(2);
    expect(stats.requests).toBe(80 + stats.rateLimited);
    expect(volley.lanes()[0]?.rpm).toBe(1200);
  });

  it('learns the limits from remaining and reset alone (Azure) and runs at them: 50 calls at 120 a minute', async () => {
    const { clock, simulator, volley } = simulated({
      rpm: 120,
      tpm: 60_000,
      limitHeaders: false,
      latencyMedianMs: 400,
      latencySpread: 0,
    });
    const results = await settleOn(clock, volley.settle(prompts(50)));
    expect(results.every((r) => r.ok)).toBe(true);
    // The burst of 2 (a second of 120 a minute) at once, then one every 500 ms; the last answer a
    // latency later. Taking the remaining figure alone for the limit ran the whole lane at 60 a
    // minute (34.1 s), and a bucket made from the first answer ignored the second's "0 left".
    // From the first call sent: the provider loading its SDK before that takes real time, which
    // the stepping clock turns into an offset that depends on the machine.
    const ideal = 400 + ((50 - 2) / 120) * 60_000;
    const timings = results.map((r) => (r.ok ? r.value.timings : undefined)).filter((t) => t !== undefined);
    const makespan =
      Math.max(...timings.map((t) => t.finishedAt)) - Math.min(...timings.map((t) => t.startedAt));
    expect(makespan).toBeGreaterThanOrEqual(ideal);
    expect(makespan).toBeLessThanOrEqual(ideal * 1.01);
    // Only the blind probe's: 8 calls at once into a burst of 2.
    expect(simulator.stats().rateLimited).toBeLessThanOrEqual(6);
    expect(volley.lanes()[0]?.rpm).toBe(120);
  });

  it('sends small calls past a big one that does not fit yet, and the big one when it does', async () => {
    // --tpm 20000 against a server whose bucket holds the whole minute: one call of about 15,000
    // tokens ahead of 100 of about 80 (prompt and answer), 23,000 in all. Counting the prompt here loads the tokenizer before the run,
    // so the lane's counts do not depend on how fast it loads.
    const big = `A very long document.${' lorem ipsum dolor'.repeat(5000)}`;
    expect(countMessageTokens([{ role: 'user', content: big }])).toBeGreaterThan(14_000);
    const { clock, simulator, volley } = simulated(
      { tpm: 20_000, burstWindowMs: 60_000, latencyMedianMs: 400, latencySpread: 0 },
      { limits: { tpm: 20_000 } },
    );
    const small = prompts(100).map(({ prompt }) => ({
      prompt: `${prompt}${' lorem ipsum dolor'.repeat(18)}`,
    }));
    const results = await settleOn(clock, volley.settle([{ prompt: big }, ...small]));
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = simulator.stats();
    expect(stats.rateLimited).toBe(0);
    // The bucket's 20,000 at once, the rest at 20,000 a minute, the last answer a latency later.
    const charged = stats.promptTokens + stats.completionTokens;
    const ideal = 400 + ((charged - 20_000) / 20_000) * 60_000;
    const timings = results.map((r) => (r.ok ? r.value.timings : undefined)).filter((t) => t !== undefined);
    const makespan =
      Math.max(...timings.map((t) => t.finishedAt)) - Math.min(...timings.map((t) => t.startedAt));
    expect(makespan).toBeGreaterThanOrEqual(ideal);
    // Two round trips learn that the bucket holds the minute (a second's worth is assumed before).
    expect(makespan).toBeLessThanOrEqual(ideal * 1.05);
    // The small ones did not queue behind the big one's debt (the defect: a median of 50 s).
    const queued = timings
      .slice(1)
      .map((t) => t.queuedMs)
      .sort((a, b) => a - b);
    expect(queued[50]).toBeLessThanOrEqual(1000);
  });

  it('survives a 429 storm from a limit configured too high, pausing instead of hammering', async () => {
    const { clock, simulator, volley } = simulated(
      { rpm: 600, burstWindowMs: 200, latencyMedianMs: 20 },
      { limits: { rpm: 6000 } },
    );
    let pauses = 0;
    volley.on('rate-limited', () => pauses++);
    const results = await settleOn(clock, volley.settle(prompts(30)));
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = simulator.stats();
    expect(pauses).toBeGreaterThan(0);
    // The first 429s carry the server's limit, and from then on the budget paces the calls.
    expect(stats.rateLimited).toBeLessThan(30);
    expect(volley.lanes()[0]?.rpm).toBe(600);
    expect(stats.duplicateSuccesses).toBe(0);
  });

  it('gets every prompt answered exactly once through 5xx, resets, malformed bodies and hangs', async () => {
    const faults = { serverError: 0.1, unavailable: 0.05, reset: 0.05, malformed: 0.05, hang: 0.05 };
    const { clock, simulator, volley } = simulated(
      { latencyMedianMs: 20, faults, seed: 7 },
      { timeout: 500, retry: { initialDelay: 10, maxDelay: 100, maxAttempts: 10 } },
    );
    const results = await settleOn(clock, volley.settle(prompts(60)));
    const failures = results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code);
    expect(failures).toEqual([]);
    const stats = simulator.stats();
    expect(stats.successes).toBe(60);
    expect(stats.duplicateSuccesses).toBe(0);
    expect(stats.faults.total).toBeGreaterThan(5);
    expect(new Set(results.map((r) => r.ok && r.value.text)).size).toBe(60);
  });

  it('stops at once on a bad key, with one clear error per call and the key nowhere', async () => {
    const sentinel = 'sk-SENTINEL-0123456789abcdef';
    const { clock, simulator, volley } = simulated(
      { apiKey: 'sk-the-right-one', latencyMedianMs: 20 },
      {},
      sentinel,
    );
    const seen: string[] = [];
    volley.on('failed', (e) => seen.push(JSON.stringify(e.error), e.error.message, String(e.error.cause)));
    const results = await settleOn(clock, volley.settle(prompts(40)));
    const errors = results.map((r) => (r.ok ? undefined : r.error));
    expect(errors.every((e) => e?.code === 'authentication')).toBe(true);
    // The 401 comes back at once: only the first wave of 8 was ever sent.
    expect(simulator.stats().requests).toBe(8);
    for (const error of errors as VolleyError[]) {
      seen.push(error.message, JSON.stringify(error), String(error.stack), JSON.stringify(error.toJSON()));
    }
    expect(seen.join('\n')).not.toContain(sentinel);
    expect(errors[0]?.message).toMatch(/API key/);
  });

  it('times out a hung attempt, retries it, and gives up with a timeout error after maxAttempts', async () => {
    const { clock, simulator, volley } = simulated(
      { latencyMedianMs: 10, faults: { hang: 1 } },
      { timeout: 200, retry: { maxAttempts: 2, initialDelay: 10 } },
    );
    const error = await settleOn(
      clock,
      volley.complete({ prompt: 'x' }).catch((e: VolleyError) => e),
    );
    expect(error).toMatchObject({ code: 'timeout', attempts: 2 });
    expect(clock.now()).toBe(405); // 200, a 5 ms backoff (half of 10), 200
    expect(simulator.stats().inFlight).toBe(0); // the aborts really reached the server
  });

  it('cancels in-flight calls through an AbortSignal and the server sees them go', async () => {
    const { clock, simulator, volley } = simulated({ latencyMedianMs: 5000 });
    const controller = new AbortController();
    const pending = volley.settle(prompts(3), { signal: controller.signal });
    await settleOn(clock, new Promise((resolve) => clock.setTimer(() => resolve(undefined), 200)));
    expect(simulator.stats().inFlight).toBe(3);
    controller.abort();
    const results = await settleOn(clock, pending);
    expect(results.map((r) => !r.ok && r.error.code)).toEqual(['aborted', 'aborted', 'aborted']);
    await settleOn(clock, volley.onIdle());
    expect(simulator.stats()).toMatchObject({ inFlight: 0, aborted: 3, successes: 0 });
  });

  it('streams deltas through onDelta, each with its attempt, and usage reported', async () => {
    const { clock, volley } = simulated({ latencyMedianMs: 10, msPerOutputToken: 1 });
    const deltas: string[] = [];
    const attempts = new Set<number>();
    const call = volley.complete(
      { prompt: 'List 3 ideas.' },
      {
        onDelta: (d, attempt) => {
          deltas.push(d);
          attempts.add(attempt);
        },
      },
    );
    const result = await settleOn(clock, call);
    expect(deltas.length).toBeGreaterThan(1);
    expect([...attempts]).toEqual([1]);
    expect(deltas.join('')).toBe(result.text);
    expect(result.text).toMatch(/^1\. .*\n2\. .*\n3\. /);
    expect(result.usage?.completionTokens).toBeGreaterThan(0);
  });
});

describe('Volley over real HTTP (smoke test: no timing)', () => {
  let server: SimulatorServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers every prompt exactly once through the SDK on a real port', async () => {
    const simulator = createSimulator({ models: [], latencyMedianMs: 5, rpm: 6000 });
    server = await listen(simulator);
    const volley = new Volley({
      provider: openai({ baseURL: server.url, apiKey: 'k', env: {} }),
      model: 'm',
    });
    const results = await volley.settle(prompts(20));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.value.text)).size).toBe(20);
    expect(simulator.stats()).toMatchObject({ successes: 20, duplicateSuccesses: 0 });
  });
});
