/**
 * Figure 1: 10,000 prompts through `runBatch` against the simulator over real HTTP at 6,000
 * requests per minute (burst window 1 s, median latency 400 ms). Prints throughput as a fraction
 * of the ceiling. Run from the repository root:
 *   npx tsx bench/throughput.ts [items] [learned]
 * With `learned`, no limit is configured: Volley learns it from the simulator's headers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../src/batch/run-batch.js';
import { Volley } from '../src/client/volley.js';
import { openai } from '../src/providers/index.js';
import { createSimulator } from '../src/simulator/handler.js';
import { listen } from '../src/simulator/listen.js';

const items = Number(process.argv[2] ?? 10_000);
const learned = process.argv[3] === 'learned';
const RPM = 6000;

const simulator = createSimulator({
  rpm: RPM,
  burstWindowMs: 1000,
  latencyMedianMs: 400,
  latencySpread: 0.25,
  models: [],
});
const server = await listen(simulator);
const dir = await mkdtemp(join(tmpdir(), 'volley-throughput-'));
try {
  const volley = new Volley({
    provider: openai({ baseURL: server.url, apiKey: 'bench', env: {} }),
    model: 'gpt-4o-mini',
    limits: learned ? {} : { rpm: RPM },
  });
  const lines = Array.from({ length: items }, (_, i) =>
    JSON.stringify(`Prompt ${i + 1}: say something new.`),
  );
  const summary = await runBatch(lines, { volley, out: join(dir, 'out.jsonl'), total: items });
  const stats = simulator.stats();
  // The best any client can do: the burst at once, then the rest at the refill rate, plus one latency.
  const burst = Math.round(RPM / 60);
  const idealMs = ((items - burst) / RPM) * 60_000 + 400;
  console.log(
    JSON.stringify({
      items,
      limits: learned ? 'learned from headers' : `--rpm ${RPM}`,
      outcome: summary.outcome,
      answered: summary.counts.ok,
      failed: summary.counts.failed,
      makespanS: Number((summary.makespanMs / 1000).toFixed(1)),
      requestsPerMinute: Math.round(summary.requestsPerMinute),
      ofCeiling: Number((summary.requestsPerMinute / RPM).toFixed(4)),
      ofIdealMakespan: Number((idealMs / summary.makespanMs).toFixed(4)),
      rateLimited429: stats.rateLimited,
      serverRequests: stats.requests,
      duplicateSuccesses: stats.duplicateSuccesses,
      peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1024 / 1024),
    }),
  );
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
