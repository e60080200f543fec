/**
 * The figures of the flows issue, printed (no assertions):
 *   npx tsx examples/measure-flows.ts article      the article chain: makespan / L, one after another vs flow vs streaming
 *   npx tsx examples/measure-flows.ts throughput   100 topics at 600 requests/min: throughput against the ceiling (~50 s)
 *   npx tsx examples/measure-flows.ts throughput learned   the same, with the limit learned from the headers
 * Everything runs against the built-in simulator over real HTTP.
 */
import { type Flow, openai, Volley } from 'volley';
import { createSimulator, listen, type SimulatorOptions } from 'volley/simulator';
import { type Article, article, jsonOutlineArticle, streamedArticle } from './article-flow.js';

async function simulated(options: SimulatorOptions, rpm?: number) {
  const simulator = createSimulator({ latencySpread: 0, models: [], ...options });
  const server = await listen(simulator);
  const provider = openai({ apiKey: 'simulated', baseURL: server.url, defaultModel: 'gpt-4o-mini', env: {} });
  return { simulator, server, volley: new Volley({ provider, limits: { rpm } }) };
}

/** The article chain's five calls, each waiting for the one before. */
async function oneAfterAnother(volley: Volley, topic: string): Promise<number> {
  const started = performance.now();
  const outline = await volley.complete({
    prompt: `Outline a short article about ${topic} with 3 sections.`,
  });
  const titles = outline.text.split('\n').slice(0, 3);
  const sections: string[] = [];
  for (const title of titles)
    sections.push((await volley.complete({ prompt: `Write the section "${title}".` })).text);
  await volley.complete({ prompt: `Write an intro for:\n${sections.join('\n')}` });
  return performance.now() - started;
}

async function measureArticle(): Promise<void> {
  const setups: [string, SimulatorOptions][] = [
    ['fixed latency 200 ms, whole answers', { latencyMedianMs: 200 }],
    ['40 ms + 3 ms/token, ~50-token answers', { latencyMedianMs: 40, msPerOutputToken: 3, outputTokens: 50 }],
  ];
  const chains: [string, Flow<string, Article>][] = [
    ['flow', article],
    ['streamed list outline', streamedArticle],
    ['streamed JSON outline', jsonOutlineArticle],
  ];
  for (const [label, options] of setups) {
    const { server, volley } = await simulated(options);
    for (const [, chain] of chains) await chain.run('warming up', { volley });
    const runs = 5;
    let sequential = 0;
    for (let i = 0; i < runs; i++) sequential += await oneAfterAnother(volley, `topic ${i}`);
    const L = sequential / runs / 5;
    const cells = [`one after another: ${(sequential / runs / L).toFixed(2)} L (L = ${L.toFixed(0)} ms)`];
    for (const [name, chain] of chains) {
      let ratio = 0;
      let own = 0;
      let line = '';
      for (let i = 0; i < runs; i++) {
        const { summary } = await chain.run(`subject ${i}`, { volley });
        // This run's own L: the mean time of its five calls (the outlines differ in length).
        ratio += summary.makespanMs / (summary.sequentialMs / 5) / runs;
        own += summary.sequentialMs / 5 / runs;
        line = summary.line;
      }
      cells.push(
        `${name}: ${ratio.toFixed(2)} L (its calls' mean L = ${own.toFixed(0)} ms)  [last run: ${line}]`,
      );
    }
    console.log(`${label} (mean of ${runs} runs each):`);
    for (const cell of cells) console.log(`  ${cell}`);
    await server.close();
  }
}

/** With `learn`, Volley is not told the limit and learns it from the simulator's rate-limit headers. */
async function measureThroughput(learn: boolean): Promise<void> {
  const rpm = 600;
  const topics = Array.from({ length: 100 }, (_, i) => `topic number ${i + 1}`);
  const sim = { rpm, burstWindowMs: 1000, latencyMedianMs: 400 };
  const { simulator, server, volley } = await simulated(sim, learn ? undefined : rpm);
  await volley.complete({ prompt: 'warm up' });
  simulator.resetStats();
  // Let the warm-up's request drain from the simulator's bucket before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const started = performance.now();
  let ok = 0;
  let calls = 0;
  for await (const result of article.batch(topics, { volley })) {
    if (result.ok) {
      ok++;
      calls += result.summary.calls;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const ceiling = rpm / 60;
  const burst = ceiling; // burstWindowMs 1000: a second's worth may go at once
  const best = (calls - burst) / ceiling + 0.4; // the rest at the rate, plus the last call's latency
  const stats = simulator.stats();
  const told = learn ? 'learned from headers' : 'given to Volley';
  console.log(
    `100 topics through the article flow at ${rpm} requests/min (${told}; latency 400 ms, burst 1 s):`,
  );
  console.log(
    `  ${ok} ok, ${calls} calls in ${seconds.toFixed(1)} s: ${(calls / seconds).toFixed(2)} calls/s`,
  );
  console.log(`  throughput ${((calls / seconds / ceiling) * 100).toFixed(1)}% of the ${ceiling}/s ceiling`);
  console.log(
    `  (the fastest the limit allows for ${calls} calls is ${best.toFixed(1)} s: ${((best / seconds) * 100).toFixed(1)}% of that)`,
  );
  console.log(
    `  simulator: ${stats.requests} requests, ${stats.rateLimited} answered 429, max ${stats.maxInFlight} in flight`,
  );
  await server.close();
}

const what = process.argv[2] ?? 'article';
if (what === 'article') await measureArticle();
else if (what === 'throughput') await measureThroughput(process.argv[3] === 'learned');
else throw new Error(`Unknown measurement "${what}": use article or throughput.`);
