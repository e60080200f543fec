/**
 * The core figures of the scheduler issue, measured against the built-in simulator over real HTTP:
 * 300 prompts under 600 requests per minute with no limits configured, the same with faults, and
 * the scheduler's own overhead through a zero-latency in-process provider.
 */
import { Volley } from '../src/client/volley.js';
import { openai } from '../src/providers/index.js';
import { createSimulator } from '../src/simulator/handler.js';
import { listen } from '../src/simulator/listen.js';
import type { SimulatorOptions } from '../src/simulator/options.js';
import { echoProvider } from '../src/test-support/echo-provider.js';

export interface RateRun {
  readonly label: string;
  readonly items: number;
  readonly ok: number;
  readonly failed: number;
  readonly makespanMs: number;
  readonly ceilingMs: number;
  readonly requests: number;
  readonly rateLimited: number;
  readonly duplicateSuccesses: number;
  readonly wrongAnswers: number;
}

async function rateLimitedRun(
  label: string,
  items: number,
  sim: SimulatorOptions & { rpm: number },
  timeoutMs = 60_000,
): Promise<RateRun> {
  const simulator = createSimulator({ burstWindowMs: 1000, latencyMedianMs: 400, models: [], ...sim });
  const server = await listen(simulator);
  try {
    const volley = new Volley({
      provider: openai({ baseURL: server.url, apiKey: 'bench', env: {} }),
      model: 'gpt-4o-mini',
      timeout: timeoutMs,
    });
    const prompts = Array.from({ length: items }, (_, i) => ({ prompt: `Say something about item ${i}.` }));
    const started = performance.now();
    const results = await volley.settle(prompts);
    const makespanMs = performance.now() - started;
    const stats = simulator.stats();
    // Each answer must belong to its own prompt: the simulator's answers are a function of the prompt.
    const again = createSimulator({ models: [], latencyMedianMs: 0, seed: sim.seed ?? 1 });
    const reference = openai({ baseURL: 'http://reference/v1', apiKey: 'x', env: {}, fetch: again.fetch });
    let wrongAnswers = 0;
    for (const [i, result] of results.entries()) {
      if (!result.ok) continue;
      const expected = await reference.send(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompts[i]!.prompt }], params: {} },
        { signal: new AbortController().signal },
      );
      if (expected.text !== result.value.text) wrongAnswers++;
    }
    return {
      label,
      items,
      ok: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      makespanMs,
      ceilingMs: (items / sim.rpm) * 60_000,
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      duplicateSuccesses: stats.duplicateSuccesses,
      wrongAnswers,
    };
  } finally {
    await server.close();
  }
}

export async function schedulerThroughput(
  calls: number,
): Promise<{ calls: number; ms: number; perSecond: number }> {
  const volley = new Volley({ provider: echoProvider(), model: 'echo', limits: { concurrency: 256 } });
  const started = performance.now();
  // Submitted in waves so the measurement is of the scheduler, not of one giant array of promises.
  const wave = 10_000;
  for (let done = 0; done < calls; done += wave) {
    const n = Math.min(wave, calls - done);
    await volley.all(Array.from({ length: n }, (_, i) => ({ prompt: `item ${done + i}` })));
  }
  const ms = performance.now() - started;
  return { calls, ms, perSecond: (calls / ms) * 1000 };
}

function describeRun(run: RateRun): string {
  const ratio = run.makespanMs / run.ceilingMs;
  const share = (100 * run.rateLimited) / Math.max(1, run.requests);
  return (
    `${run.label}: ${run.ok}/${run.items} ok, ${run.failed} failed · makespan ${(run.makespanMs / 1000).toFixed(1)} s ` +
    `(ceiling ${(run.ceilingMs / 1000).toFixed(1)} s, ×${ratio.toFixed(3)}) · ${run.requests} requests, ` +
    `${run.rateLimited} 429s (${share.toFixed(1)}%) · duplicate paid successes ${run.duplicateSuccesses} · ` +
    `answers not matching their prompt ${run.wrongAnswers}`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? 'all';
  if (which === 'all' || which === 'clean') {
    console.log(
      describeRun(await rateLimitedRun('300 prompts, 600 rpm, no limits configured', 300, { rpm: 600 })),
    );
  }
  if (which === 'all' || which === 'faults') {
    const faults = { serverError: 0.05, unavailable: 0.05, reset: 0.02, hang: 0.01 };
    console.log(
      describeRun(
        await rateLimitedRun('same with 10% 5xx, 2% resets, 1% hangs', 300, { rpm: 600, faults }, 5000),
      ),
    );
  }
  if (which === 'all' || which === 'scheduler') {
    const run = await schedulerThroughput(100_000);
    console.log(
      `scheduler: ${run.calls} calls in ${(run.ms / 1000).toFixed(2)} s = ${Math.round(run.perSecond)} calls/s`,
    );
  }
}
