/**
 * Peak RSS of a real run over HTTP (issue 9.6): `volley run --base-url` against `volley sim` in a
 * process of its own, over a JSONL file of prompts of about 500 bytes, and `volley run --dry-run`
 * on the same file. On the built command (`npm run build` first), with the node flags of its
 * `#!` line, as an installed `volley` runs; the peak is read by GNU time. From the repository root:
 *
 *   npx tsx bench/http-memory.ts [--lines 200000] [--latency 5ms] [--tpm N]
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, startSim } from './sim-process.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    latency: { type: 'string', default: '5ms' },
    tpm: { type: 'string' },
  },
});
const lines = Number(values.lines);
const dir = mkdtempSync(join(tmpdir(), 'volley-http-memory-'));
const input = join(dir, 'in.jsonl');

const file = createWriteStream(input);
const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ';
for (let i = 1; i <= lines; i++) {
  const prompt = `Item ${i}: ${filler.repeat(6)}`.slice(0, 480);
  if (!file.write(`${JSON.stringify({ prompt })}\n`)) await once(file, 'drain');
}
file.end();
await once(file, 'finish');

const sim = await startSim(['--latency', values.latency]);

/** Runs `volley` under GNU time; returns the wall seconds and the peak RSS in MB. */
function peak(args: string[]): { seconds: number; peakRssMB: number; exit: number | null } {
  const stats = join(dir, 'time.txt');
  const started = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%M', '-o', stats, process.execPath, ...cliArgs(...args)], {
    cwd: dir,
    env: { ...process.env, OPENAI_API_KEY: 'x' },
    stdio: 'ignore',
  });
  const seconds = (performance.now() - started) / 1000;
  const kb = Number(readFileSync(stats, 'utf8').trim().split('\n').at(-1));
  return { seconds: Number(seconds.toFixed(1)), peakRssMB: Math.round(kb / 1024), exit: child.status };
}

const limits = values.tpm === undefined ? [] : ['--tpm', values.tpm];
try {
  const run = ['run', 'in.jsonl', '--out', 'out.jsonl', '--base-url', sim.url, '-q', '--force', ...limits];
  console.log(JSON.stringify({ what: 'volley run over HTTP', lines, ...peak(run) }));
  const dry = ['run', 'in.jsonl', '--out', 'dry.jsonl', '--base-url', sim.url, '--dry-run', '-q', ...limits];
  console.log(JSON.stringify({ what: 'volley run --dry-run', lines, ...peak(dry) }));
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
