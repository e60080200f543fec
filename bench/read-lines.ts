/**
 * The input line reader over a million lines (~75 bytes each), read a chunk of lines at a time as
 * a run does (`lines()`), once with ASCII-only text and once with an `é` in every other line.
 * Prints the best of seven passes. Run: npx tsx bench/read-lines.ts [lines]
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileLines } from '../src/batch/read-lines.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'volley-read-lines-'));

async function writeInput(name: string, word: string): Promise<string> {
  const input = join(dir, name);
  const file = createWriteStream(input);
  for (let i = 1; i <= lines; i++) {
    const line =
      i % 2 === 0
        ? JSON.stringify({ custom_id: `item-${i}`, prompt: `Summarise item ${i} in one line, ${word}.` })
        : JSON.stringify({ messages: [{ role: 'user', content: `Describe case ${i}.` }] });
    if (!file.write(`${line}\n`)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => file.end(() => resolve()));
  return input;
}

for (const [text, word] of [
  ['ascii', 'cafe'],
  ['non-ascii', 'café'],
] as const) {
  const input = await writeInput(`${text}.jsonl`, word);
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 7; pass++) {
    const started = performance.now();
    let count = 0;
    for await (const batch of readFileLines(input).lines()) count += batch.entries.length;
    best = Math.min(best, performance.now() - started);
    if (count !== lines) throw new Error(`read ${count} lines of ${lines}`);
  }
  const mb = (await stat(input)).size / 1e6;
  console.log(
    JSON.stringify({
      text,
      lines,
      mb: +mb.toFixed(1),
      bestMs: Math.round(best),
      linesPerSecond: Math.round(lines / (best / 1000)),
    }),
  );
}
await rm(dir, { recursive: true, force: true });
