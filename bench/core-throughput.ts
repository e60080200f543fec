/**
 * The scheduler's own cost, in one process: calls per second through Volley against p-queue doing
 * the same work, (1) over one official `openai` SDK client pointed at the in-process simulator
 * (zero latency, no limits), and (2) through the zero-latency echo provider. Runs alternate, and
 * the best of `--runs` is kept for each, so a busy neighbour costs both sides alike. The CPU time per
 * call (least of the runs) is printed beside, as p-queue's over Volley's: on a loaded machine it
 * varies less than the wall clock.
 *
 *   npx tsx bench/core-throughput.ts [--calls 20000] [--echo-calls 200000] [--runs 3] [--concurrency 256]
 */
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import PQueue from 'p-queue';
import { Volley } from '../src/client/volley.js';
import { openai } from '../src/providers/index.js';
import type { Provider, ProviderRequest } from '../src/providers/types.js';
import { createSimulator } from '../src/simulator/handler.js';
import { echoProvider } from '../src/test-support/echo-provider.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    'echo-calls': { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '256' },
  },
});
const CALLS = Number(values.calls);
const ECHO_CALLS = Number(values['echo-calls']);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
/** Submitted in waves, so that what is measured is the scheduler, not one giant array of promises. */
const WAVE = 10_000;

type Runner = (prompts: readonly string[]) => Promise<void>;

/** Calls per second, and CPU µs per call (this process, every thread: it counts the same work for both sides under load). */
async function timed(calls: number, run: Runner): Promise<{ perSecond: number; cpuPerCall: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let done = 0; done < calls; done += WAVE) {
    const n = Math.min(WAVE, calls - done);
    await run(Array.from({ length: n }, (_, i) => `Say something about item ${done + i}.`));
  }
  const used = process.cpuUsage(cpu);
  return {
    perSecond: (calls / (performance.now() - started)) * 1000,
    cpuPerCall: (used.user + used.system) / calls,
  };
}

function pQueueRunner(send: (prompt: string) => Promise<unknown>): Runner {
  const queue = new PQueue({ concurrency: CONCURRENCY });
  return async (prompts) => {
    await Promise.all(prompts.map((prompt) => queue.add(() => send(prompt))));
  };
}

function volleyRunner(volley: Volley): Runner {
  return async (prompts) => {
    await volley.all(prompts.map((prompt) => ({ prompt })));
  };
}

async function compare(label: string, calls: number, sides: Record<string, () => Runner>): Promise<void> {
  const best: Record<string, number> = {};
  const leastCpu: Record<string, number> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, make] of Object.entries(sides)) {
      const { perSecond, cpuPerCall } = await timed(calls, make());
      best[name] = Math.max(best[name] ?? 0, perSecond);
      leastCpu[name] = Math.min(leastCpu[name] ?? Number.POSITIVE_INFINITY, cpuPerCall);
    }
  }
  const base = best['p-queue']!;
  const baseCpu = leastCpu['p-queue']!;
  console.log(`${label} (${calls} calls, best of ${RUNS}):`);
  for (const [name, perSecond] of Object.entries(best)) {
    const cpu = leastCpu[name]!;
    console.log(
      `  ${name.padEnd(28)} ${Math.round(perSecond).toString().padStart(7)} calls/s  ×${(perSecond / base).toFixed(3)}` +
        `   cpu ${cpu.toFixed(2).padStart(7)} µs/call  ×${(baseCpu / cpu).toFixed(3)}`,
    );
  }
}

const simulator = createSimulator({ latencyMedianMs: 0, models: [] });
const client = new OpenAI({
  apiKey: 'bench',
  baseURL: 'http://simulator/v1',
  fetch: simulator.fetch,
  maxRetries: 0,
});
await compare('SDK client against the in-process simulator', CALLS, {
  'p-queue': () =>
    pQueueRunner((prompt) =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }),
    ),
  'volley (no limits)': () =>
    volleyRunner(new Volley({ provider: openai({ client }), model: 'gpt-4o-mini' })),
  [`volley (concurrency ${CONCURRENCY})`]: () =>
    volleyRunner(
      new Volley({
        provider: openai({ client }),
        model: 'gpt-4o-mini',
        limits: { concurrency: CONCURRENCY },
      }),
    ),
});

const echo: Provider = echoProvider();
const signal = new AbortController().signal;
await compare('echo provider (zero latency, in process)', ECHO_CALLS, {
  'p-queue': () =>
    pQueueRunner((prompt) => {
      const request: ProviderRequest = {
        model: 'echo',
        messages: [{ role: 'user', content: prompt }],
        params: {},
      };
      return echo.send(request, { signal });
    }),
  'volley (no limits)': () => volleyRunner(new Volley({ provider: echo, model: 'echo' })),
  [`volley (concurrency ${CONCURRENCY})`]: () =>
    volleyRunner(new Volley({ provider: echo, model: 'echo', limits: { concurrency: CONCURRENCY } })),
});
