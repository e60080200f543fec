/**
 * Figure 3: a million-line input through the zero-latency in-process `echoProvider`, journal on,
 * input order. Prints peak RSS and lines per second. Run after `npm run build`:
 *   node dist/batch/million.bench.js [lines]
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volley } from '../client/volley.js';
import { echoProvider } from '../providers/echo.js';
import { readFileLines } from './read-lines.js';
import { runBatch } from './run-batch.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'volley-million-'));
const input = join(dir, 'in.jsonl');

// A mix of the shapes, every prompt different.
const file = createWriteStream(input);
for (let i = 1; i <= lines; i++) {
  const line =
    i % 4 === 0
      ? JSON.stringify({ custom_id: `item-${i}`, prompt: `Summarise item ${i} in one line.` })
      : i % 4 === 1
        ? JSON.stringify(`Tell me something about the number ${i}.`)
        : i % 4 === 2
          ? JSON.stringify({ messages: [{ role: 'user', content: `Describe case ${i}.` }] })
          : JSON.stringify({
              custom_id: `req-${i}`,
              method: 'POST',
              url: '/v1/chat/completions',
              body: {
                model: 'echo',
                messages: [{ role: 'user', content: `Batch line ${i}.` }],
                max_tokens: 16,
              },
            });
  if (!file.write(`${line}\n`)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
}
await new Promise<void>((resolve) => file.end(() => resolve()));

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const volley = new Volley({ provider: echoProvider(), model: 'echo' });
const started = performance.now();
const summary = await runBatch(readFileLines(input), { volley, out: join(dir, 'out.jsonl'), total: lines });
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const maxRSS = process.resourceUsage().maxRSS * 1024;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
console.log(
  JSON.stringify({
    lines,
    outcome: summary.outcome,
    answered: summary.counts.ok,
    seconds: Number(seconds.toFixed(1)),
    linesPerSecond: Math.round(lines / seconds),
    peakRssMB: Number(mb(Math.max(peak, maxRSS))),
    inputMB: Number(mb((await stat(input)).size)),
    outputMB: Number(mb((await stat(join(dir, 'out.jsonl'))).size)),
    journalMB: Number(mb((await stat(join(dir, 'out.journal.jsonl'))).size)),
  }),
);
await rm(dir, { recursive: true, force: true });
