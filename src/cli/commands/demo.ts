/**
 * `volley demo` (what `npm start` runs): three things Volley does, against the built-in simulator
 * over real HTTP, each timed against the same calls made one after another.
 */
import { Volley } from '../../client/volley.js';
import { flow } from '../../flows/flow.js';
import { parseList } from '../../flows/parsers.js';
import { openai } from '../../providers/index.js';
import { createSimulator } from '../../simulator/handler.js';
import { listen } from '../../simulator/listen.js';
import { durationFlag, parseFlags } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../io.js';

const usage = `Usage: volley demo [--latency 400ms]

Starts the built-in simulator on a free local port and shows, with timings:
  1. three prompts at once with settle(),
  2. a chain: an outline, its three sections written at once, then an intro,
  3. a batch of 100 prompts under a 1,200 requests-per-minute limit Volley learns from the headers.`;

const article = flow('article', async (topic: string, step) => {
  const outline = await step.llm('outline', `Outline an article about ${topic} with 3 sections.`, {
    parse: parseList,
  });
  const sections = await step.map('sections', outline, (title, s) =>
    s.llm('write', `Write the section "${title}".`),
  );
  return step.llm('intro', `Write an intro for these sections:\n${sections.join('\n')}`);
});

export const demo: Command = {
  name: 'demo',
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, { latency: { type: 'string' } }, usage);
    const latency = durationFlag('latency', values.latency) ?? 400;
    const rpm = 1200;
    const simulator = createSimulator({ rpm, burstWindowMs: 1000, latencyMedianMs: latency, models: [] });
    const server = await listen(simulator);
    const out = (line: string) => io.stdout.write(`${line}\n`);
    try {
      const volley = new Volley({
        provider: openai({ baseURL: server.url, apiKey: 'demo', env: {} }),
        model: 'gpt-4o-mini',
        signal: io.signal,
      });
      out(`Volley demo against the built-in simulator at ${server.url} (median latency ${latency} ms)\n`);
      // One call first, so that connection setup is not counted against either way of calling.
      await volley.complete({ prompt: 'Warm up.' });

      const prompts = ['Name a river.', 'Name a mountain.', 'Name a desert.'].map((prompt) => ({ prompt }));
      const together = await timed(() => volley.settle(prompts));
      const oneByOne = await timed(async () => {
        for (const prompt of prompts) await volley.complete(prompt);
      });
      const ok = together.value.filter((r) => r.ok).length;
      out(`1. Three prompts at once with settle(): ${ok}/3 ok in ${seconds(together.ms)}`);
      out(`   one after another: ${seconds(oneByOne.ms)}\n`);

      const chain = await timed(() => article.run('tide pools', { volley }));
      const sequential = await timed(async () => {
        for (let i = 0; i < chain.value.summary.calls; i++)
          await volley.complete({ prompt: `Call ${i} of the chain.` });
      });
      out(`2. A chain (outline → 3 sections at once → intro): ${chain.value.summary.line}`);
      out(`   the same ${chain.value.summary.calls} calls one after another: ${seconds(sequential.ms)}\n`);

      const before = simulator.stats();
      const batch = Array.from({ length: 100 }, (_, i) => ({ prompt: `Summarise item ${i}.` }));
      const run = await timed(() => volley.settle(batch));
      const after = simulator.stats();
      // The one-second burst goes out at once, the rest at the limit, and the last answer takes a latency.
      const ceiling = ((batch.length - rpm / 60) / rpm) * 60_000 + latency;
      const lane = volley.lanes()[0];
      out(`3. A batch of 100 prompts under ${rpm} requests per minute, no limits configured:`);
      out(
        `   ${run.value.filter((r) => r.ok).length}/100 ok in ${seconds(run.ms)} (the limit allows ${seconds(ceiling)}), ` +
          `429 answers: ${after.rateLimited - before.rateLimited}, limit learned: ${Math.round(lane?.rpm ?? 0)} rpm`,
      );
      out(`   one after another it would take about ${seconds(batch.length * latency)}\n`);
      out(
        'Next, a batch from a file: node dist/cli/main.js run examples/prompts.jsonl --out results.jsonl --sim --report',
      );
      return EXIT.ok;
    } finally {
      await server.close();
    }
  },
};

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
