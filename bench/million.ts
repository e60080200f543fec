/**
 * A million-line input through the zero-latency in-process echo provider, journal on, input
 * order: peak RSS and lines per second of a fresh run, then of the resume of a run killed (-9)
 * halfway (what its journal holds kept, the rest sent), then of a rerun with nothing changed. Each phase
 * runs in its own process, so each peak RSS is its own. The phases run on plain node, over this
 * file and the sources it imports compiled by tsc into a temporary folder (as `npm run build`
 * compiles dist/, which users run; the echo provider is a test double that dist/ leaves out): under
 * tsx, its loader thread and transformed sources added about 35 MB to every figure. Each phase has
 * the node flags of the command's `#!` line, as `volley run` would. From the
 * repository root:
 *   npx tsx bench/million.ts [lines]
 *   VOLLEY_BENCH_TPM=1000000000 npx tsx bench/million.ts   the same with a tokens budget (a limit
 *                                                          too high to pace: every prompt is counted)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readFileLines } from '../src/batch/read-lines.js';
import { runBatch } from '../src/batch/run-batch.js';
import { Volley } from '../src/client/volley.js';
import { echoProvider } from '../src/test-support/echo-provider.js';
import { cliNodeFlags } from './sim-process.js';

const [, self, first, phase, dirArg] = process.argv;
const lines = Number(first ?? 1_000_000);

if (phase === undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'volley-million-'));
  await writeInput(join(dir, 'in.jsonl'));
  const compiled = compile(join(dir, 'build'));
  // With the node flags an installed `volley run` has: a batch of this size is what the command is for.
  const flags = cliNodeFlags();
  console.log(`node ${flags.join(' ')}`);
  const run = (name: string) => {
    const child = spawnSync(process.execPath, [...flags, compiled, String(lines), name, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const text = child.stdout.toString().trim();
    console.log(text);
    return JSON.parse(text) as Record<string, unknown>;
  };
  run('fresh');
  // A run that kills itself (kill -9) once half the lines are answered; then its resume.
  spawnSync(process.execPath, [...flags, compiled, String(lines), 'killed', dir], {
    stdio: 'inherit',
  });
  run('resume');
  run('unchanged');
  await rm(dir, { recursive: true, force: true });
} else {
  const dir = dirArg!;
  const input = join(dir, 'in.jsonl');
  const out = join(dir, 'out.jsonl');
  const tpm = process.env['VOLLEY_BENCH_TPM'];
  const limits = tpm === undefined ? {} : { limits: { tpm: Number(tpm) } };
  const volley = new Volley({ provider: echoProvider(), model: 'echo', ...limits });
  const started = performance.now();
  const summary = await runBatch(readFileLines(input), {
    volley,
    out,
    total: lines,
    force: phase === 'fresh' || phase === 'killed',
    onStart: (tally) => {
      if (phase !== 'killed') return;
      setInterval(() => {
        if (tally.done >= lines / 2) process.kill(process.pid, 'SIGKILL');
      }, 5);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  const size = async (path: string) => mb((await stat(path).catch(() => ({ size: 0 }))).size);
  console.log(
    JSON.stringify({
      phase,
      lines,
      tpm: tpm === undefined ? null : Number(tpm),
      outcome: summary.outcome,
      answered: summary.counts.ok,
      kept: summary.resume.unchanged,
      warnings: summary.warnings,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(lines / seconds),
      peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
      inputMB: await size(input),
      outputMB: await size(out),
      journalMB: await size(out.replace(/\.jsonl$/, '.journal.jsonl')),
    }),
  );
}

/** This file and what it imports, compiled with the project's compiler options (tsconfig.million.json); returns this file's output. */
function compile(outDir: string): string {
  const root = join(import.meta.dirname, '..');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const config = join(import.meta.dirname, 'tsconfig.million.json');
  const built = spawnSync(process.execPath, [tsc, '-p', config, '--outDir', outDir], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tsc exited ${built.status}`);
  return join(outDir, relative(root, self!).replace(/\.ts$/, '.js'));
}

async function writeInput(path: string): Promise<void> {
  // A mix of the shapes, every prompt different.
  const file = createWriteStream(path);
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
}
