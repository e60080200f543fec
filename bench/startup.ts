/**
 * Start-up figures of issue 9.5, on the built command (`npm run build` first):
 *   npx tsx bench/startup.ts [runs]
 * - `volley --help` and `volley --version` against a bare `node -e 0`: median wall time of `runs`
 *   (default 5) after one warm-up, each a fresh process.
 * - A one-line `volley run`: from just before its process is spawned to the moment its request
 *   reaches `volley sim`, which runs in a process of its own and logs each arrival (`--log`) with
 *   the wall clock.
 * Every `volley` runs with the node flags of its `#!` line, as an installed one does (`cliArgs`).
 * The same figures with hyperfine: hyperfine -N -r 5 'node -e 0' 'dist/cli/main.js --help'
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs } from './sim-process.js';

const runs = Number(process.argv[2] ?? 5);
const now = () => performance.timeOrigin + performance.now();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function wall(args: string[]): number {
  const started = now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return now() - started;
}

function timed(label: string, args: string[]): number {
  wall(args);
  const ms = median(Array.from({ length: runs }, () => wall(args)));
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms`);
  return ms;
}

const bare = timed('node -e 0', ['-e', '0']);
const help = timed('volley --help', cliArgs('--help'));
timed('volley --version', cliArgs('--version'));
console.log(`${'--help over node -e 0'.padEnd(34)} ${(help - bare).toFixed(0).padStart(5)} ms`);

const dir = mkdtempSync(join(tmpdir(), 'volley-startup-'));
const log = join(dir, 'arrivals.jsonl');
const sim = spawn(process.execPath, cliArgs('sim', '--port', '0', '--latency', '1ms', '--log', log), {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  sim.stdout.on('data', (chunk) => {
    out += String(chunk);
    const match = /listening on (\S+)/.exec(out);
    if (match) resolve(match[1]!);
  });
  sim.once('exit', (code) => reject(new Error(`volley sim exited ${code}`)));
});
writeFileSync(join(dir, 'one.jsonl'), '"Name a river."\n');

const arrivals = () =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { at: number; path: string });

async function firstRequest(i: number): Promise<number> {
  const before = arrivals().length;
  const args = cliArgs('run', 'one.jsonl', '--out', `out-${i}.jsonl`, '--base-url', url, '-q');
  const started = now();
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, OPENAI_API_KEY: 'x' } });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`volley run exited ${code}`);
  const request = arrivals()
    .slice(before)
    .find((a) => a.path.endsWith('/chat/completions'));
  if (!request) throw new Error('volley run sent no request');
  return request.at - started;
}

try {
  await firstRequest(0);
  const delays: number[] = [];
  for (let i = 1; i <= runs; i++) delays.push(await firstRequest(i));
  const shown = delays.map((d) => d.toFixed(0)).join(', ');
  console.log(
    `${'volley run: first request after'.padEnd(34)} ${median(delays).toFixed(0).padStart(5)} ms (${shown})`,
  );
} finally {
  sim.kill('SIGINT');
  rmSync(dir, { recursive: true, force: true });
}
