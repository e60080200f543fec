/**
 * The response cache figure of issue 12 ("a cached rerun with 5 of 50 lines edited sends exactly
 * 5 requests"), through the command line as a user runs it:
 *   npx tsx bench/cache.ts [lines] [edited]
 * `volley run` over `lines` prompts (default 50) with `--cache`, then over the same file with
 * `edited` lines changed (default 5) into a new output, against the simulator over real HTTP. The
 * requests each run sent are read from the simulator's `GET /stats`. Counts only: no timing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../src/cli/main.js';
import { createSimulator, listen } from '../src/simulator/index.js';

const lines = Number(process.argv[2] ?? 50);
const editedCount = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'volley-cache-bench-'));
const server = await listen(createSimulator({ latencyMedianMs: 20, models: [] }));
const edited = new Set(Array.from({ length: editedCount }, (_, i) => Math.floor((i * lines) / editedCount)));

function write(name: string, edit: ReadonlySet<number>): void {
  const text = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({ custom_id: `q-${i}`, prompt: edit.has(i) ? `Item ${i}, edited.` : `Item ${i}.` }),
  );
  writeFileSync(join(dir, name), `${text.join('\n')}\n`);
}

async function requests(): Promise<number> {
  const stats = (await (await fetch(`${server.url}/stats`)).json()) as { requests: number };
  await fetch(`${server.url}/stats/reset`, { method: 'POST' });
  return stats.requests;
}

async function run(input: string, out: string): Promise<{ code: number; cached: number }> {
  const sink = new PassThrough().resume();
  const io = {
    stdout: sink,
    stderr: process.stderr,
    stdin: Readable.from([]),
    env: { OPENAI_API_KEY: 'bench' },
    cwd: dir,
    signal: new AbortController().signal,
  };
  const args = ['run', input, '-o', out, '--base-url', server.url, '--cache', 'cache', '-q'];
  const code = await runCli(args, io);
  const records = readFileSync(join(dir, out), 'utf8').split('\n').filter(Boolean);
  return { code, cached: records.filter((r) => (JSON.parse(r) as { cached?: true }).cached).length };
}

write('first.jsonl', new Set());
write('edited.jsonl', edited);
const first = await run('first.jsonl', 'first.out.jsonl');
const firstRequests = await requests();
const second = await run('edited.jsonl', 'edited.out.jsonl');
const secondRequests = await requests();
await server.close();
console.log(`first run:  ${lines} lines -> ${firstRequests} requests (exit ${first.code})`);
console.log(
  `cached rerun, ${edited.size} of ${lines} lines edited -> ${secondRequests} requests, ` +
    `${second.cached} records "cached": true (exit ${second.code})`,
);
if (firstRequests !== lines || secondRequests !== edited.size) process.exitCode = 1;
