/**
 * Peak memory of a big batch: a JSONL file of prompts through `runBatch` (journal and output files
 * included, as `volley run` does it) with the zero-latency echo provider, so that what is measured is
 * Volley's own footprint. Run in a child process of its own, whose peak RSS is then the batch's.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../src/batch/index.js';
import { readFileLines } from '../src/batch/read-lines.js';
import { Volley } from '../src/client/volley.js';
import { echoProvider } from '../src/test-support/echo-provider.js';

/** Runs the batch; resolves with its line count, duration and the process's peak RSS. */
export async function batchMemory(
  input: string,
  out: string,
): Promise<{ lines: number; ms: number; maxRssKB: number }> {
  const volley = new Volley({ provider: echoProvider(), model: 'echo' });
  const started = performance.now();
  const summary = await runBatch(readFileLines(input), { volley, out });
  const ms = performance.now() - started;
  const lines = summary.counts.ok;
  return { lines, ms, maxRssKB: process.resourceUsage().maxRSS };
}

/** A scratch directory holding a JSONL input of `lines` prompts; `cleanup` removes it. */
export async function scratchInput(
  lines: number,
): Promise<{ input: string; out: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-bench-'));
  const input = join(dir, 'input.jsonl');
  const stream = createWriteStream(input);
  for (let i = 0; i < lines; i++) {
    if (!stream.write(`{"prompt":"Say something about item ${i}."}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return { input, out: join(dir, 'output.jsonl'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
