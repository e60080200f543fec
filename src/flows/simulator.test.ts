/**
 * Flows through the official-SDK provider against the built-in simulator. The timing tests run
 * the simulator in process (the SDK's `fetch` is the simulator's) on a manual clock, so round
 * trips and makespans are exact on any machine; one smoke test goes over real HTTP and asserts
 * only what cannot vary.
 */
import 'openai'; // loaded before the manual clock runs: the provider imports it on first use, in real time
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator, listen, type SimulatorOptions } from '../simulator/index.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';
import { flow } from './flow.js';
import { article, jsonStreamedArticle, streamedArticle } from './test-support/article.js';
import type { Trace } from './trace.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

function simulated(options: SimulatorOptions) {
  const clock = new ManualClock();
  const simulator = createSimulator({ latencySpread: 0, clock, ...options });
  const provider = openai({
    baseURL: 'http://simulator/v1',
    apiKey: 'test',
    env: {},
    fetch: simulator.fetch,
  });
  const volley = new Volley({ provider, model: 'gpt-4o-mini', clock, random: () => 0.5 });
  return { clock, simulator, volley };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Mean duration of the run's calls: the L of this run. */
function meanCall(trace: Trace): number {
  const calls = trace.calls();
  return calls.reduce((sum, c) => sum + (c.end! - c.start - (c.queuedMs ?? 0)), 0) / calls.length;
}

describe('flows over real HTTP', () => {
  it('runs the article chain through the SDK and a listening simulator, each call once', async () => {
    const simulator = createSimulator({ latencyMedianMs: 20, latencySpread: 0 });
    const server = await listen(simulator);
    cleanup.push(() => server.close());
    const provider = openai({ baseURL: server.url, apiKey: 'test', env: {} });
    const volley = new Volley({ provider, model: 'gpt-4o-mini' });
    const run = await article.run('tides', { volley });
    expect(run.output.sections).toHaveLength(3);
    expect(run.summary.calls).toBe(5);
    expect(simulator.stats()).toMatchObject({ requests: 5, successes: 5, duplicateSuccesses: 0 });
  });
});

describe('flows against the in-process simulator (manual clock)', () => {
  it('runs the article chain in 3 round trips, makespan at most 3.3 L (5 L one after another)', async () => {
    const { clock, simulator, volley } = simulated({ latencyMedianMs: 150 });
    const run = await settleOn(clock, article.run('tides', { volley }));
    expect(run.output.sections).toHaveLength(3);
    expect(run.summary).toMatchObject({ calls: 5, roundTrips: 3 });
    // L: one round trip as this run saw it (the fan-out's round trip lasts as long as its slowest call).
    const L = run.summary.criticalPathMs / run.summary.roundTrips;
    expect(run.summary.makespanMs / L).toBeLessThanOrEqual(3.3);
    expect(run.summary.sequentialMs / meanCall(run.trace)).toBeCloseTo(5, 5);
    // On this clock every call takes exactly its 150 ms: the three round trips are the whole run.
    expect(run.summary).toMatchObject({ criticalPathMs: 450, makespanMs: 450, sequentialMs: 750 });
    expect(simulator.stats()).toMatchObject({ requests: 5, successes: 5, maxInFlight: 3 });
  });

  it('starts sections while a listed outline still streams', async () => {
    const { clock, volley } = simulated({ latencyMedianMs: 40, msPerOutputToken: 2, outputTokens: 30 });
    const run = await settleOn(clock, streamedArticle.run('tides', { volley }));
    const outline = run.trace.calls().find((c) => c.path === 'outline')!;
    const first = run.trace.calls().find((c) => c.path === 'sections[0]/expand')!;
    expect(run.output.sections).toHaveLength(3);
    expect(first.start).toBeLessThan(outline.end!);
    expect(first.streamedFrom?.span).toBe(outline.id);
    // The last list item ends the answer, so the last section starts with the outline's end:
    // still three round trips.
    expect(run.summary).toMatchObject({ calls: 5, roundTrips: 3 });
    const L = run.summary.criticalPathMs / run.summary.roundTrips;
    expect(run.summary.makespanMs / L).toBeLessThanOrEqual(3.3);
  });

  it('beats 3 L with streaming fan-out when the outline goes on after its sections', async () => {
    // Every answer about 60 tokens at 3 ms a token after 40 ms: every call takes about the same L.
    const { clock, volley } = simulated({ latencyMedianMs: 40, msPerOutputToken: 3, outputTokens: 60 });
    const run = await settleOn(clock, jsonStreamedArticle.run('tides', { volley }));
    expect(run.output.sections).toHaveLength(3);
    expect(run.summary).toMatchObject({ calls: 5, roundTrips: 3 });
    const durations = run.trace.calls().map((c) => c.end! - c.start);
    const L = meanCall(run.trace);
    for (const d of durations) expect(d / L).toBeGreaterThan(0.7);
    // Each section starts as its title arrives, not when the outline ends (2.5 L on this clock).
    expect(run.summary.makespanMs / L).toBeLessThan(2.6);
  });

  it('a run killed after its fan-out, rerun with its journal, calls only for the unfinished step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-flows-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const journal = join(dir, 'article.journal.jsonl');
    const { clock, simulator, volley } = simulated({ latencyMedianMs: 50 });
    const kill = new AbortController();
    const stop = volley.on('started', (event) => {
      if (event.id.includes('/intro#')) kill.abort();
    });
    const killed = await settleOn(
      clock,
      article.run('tides', { volley, journal, signal: kill.signal }).catch((e: unknown) => e),
    );
    stop();
    expect(killed).toMatchObject({ code: 'aborted', step: 'intro' });
    // The intro was cancelled as it was sent: it may or may not have reached the server.
    expect(simulator.stats()).toMatchObject({ successes: 4 });

    simulator.resetStats();
    const rerun = await settleOn(clock, article.run('tides', { volley, journal }));
    expect(rerun.output.sections).toHaveLength(3);
    expect(simulator.stats()).toMatchObject({ requests: 1, successes: 1, duplicateSuccesses: 0 });
    expect(rerun.summary).toMatchObject({ calls: 1, cachedSteps: 4 });

    simulator.resetStats();
    await settleOn(clock, article.run('tides', { volley, journal }));
    expect(simulator.stats().requests).toBe(0);
  });

  it('flow.batch: one input whose flow throws fails alone while the others complete', async () => {
    const { clock, simulator, volley } = simulated({ latencyMedianMs: 50 });
    const careful = flow('careful', async (topic: string, step) => {
      const outline = await step.llm('outline', `List 2 points about ${topic}.`);
      if (topic === 'forbidden') throw new Error('this topic is off limits');
      return step.llm('summary', `Summarize: ${outline}`);
    });
    const topics = ['tides', 'forbidden', 'waves', 'reefs', 'kelp'];
    const results = await settleOn(clock, collect(careful.batch(topics, { volley, inFlight: 3 })));
    expect(results).toHaveLength(5);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ input: 'forbidden', error: { code: 'unexpected' } });
    expect(simulator.stats()).toMatchObject({ requests: 9, successes: 9 });
  });

  it('flow.batch at the rate limit: the last input is not left behind, the run ends at the ideal', async () => {
    // 600 rpm, a second's burst, 400 ms a call: 40 articles of 5 calls are 200 calls, paced at 10 a
    // second after the first 10, so the ideal ends one latency after 19 s of pacing.
    const { clock, simulator, volley } = simulated({ latencyMedianMs: 400, rpm: 600, burstWindowMs: 1000 });
    const topics = Array.from({ length: 40 }, (_, i) => `topic ${i}`);
    const results = await settleOn(clock, collect(article.batch(topics, { volley })));
    expect(results.filter((r) => r.ok)).toHaveLength(40);
    const ideal = 400 + ((200 - 10) / 10) * 1000;
    // The probe's one 429 and the first answers' headers cost a few ms; a last input whose sections
    // waited behind other inputs' intros cost a whole round trip more.
    expect(clock.now() - ideal).toBeLessThan(50);
    expect(simulator.stats()).toMatchObject({ successes: 200, duplicateSuccesses: 0 });
  });
});
