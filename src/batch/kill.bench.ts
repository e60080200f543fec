/**
 * Figure 2: five `kill -9` of a real `volley run` child process at random moments, each followed
 * by a resume, against `volley sim` in a separate process at 6,000 requests per minute. Checks
 * that the output ends with exactly one record per input line and that the simulator's
 * duplicate-success counter stays within the calls that were in flight at the kills. Run after
 * `npm run build`, from the repository root:
 *   node dist/batch/kill.bench.js [items] [kills] [seed]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputRecord } from '../records/types.js';

const items = Number(process.argv[2] ?? 10_000);
const kills = Number(process.argv[3] ?? 5);
let seed = Number(process.argv[4] ?? 7);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const cli = join(process.cwd(), 'dist/cli/main.js');

interface SimStats {
  requests: number;
  successes: number;
  duplicateSuccesses: number;
  aborted: number;
  inFlight: number;
}

const dir = await mkdtemp(join(tmpdir(), 'volley-kill-'));
const lines = Array.from({ length: items }, (_, i) => JSON.stringify(`Prompt ${i + 1}: one line, please.`));
await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);

const sim = spawn(
  'node',
  [cli, 'sim', '--port', '0', '--rpm', '6000', '--burst', '1s', '--latency', '400ms', '--spread', '0.25'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve) => {
  sim.stdout!.on('data', (chunk: Buffer) => {
    const match = /listening on (\S+)/.exec(String(chunk));
    if (match) resolve(match[1]!);
  });
});
const stats = async (): Promise<SimStats> => (await (await fetch(`${url}/stats`)).json()) as SimStats;

function runChild(): ChildProcess {
  const args = [cli, 'run', 'in.jsonl', '--out', 'out.jsonl', '--base-url', url, '--rpm', '6000', '--quiet'];
  return spawn('node', args, { cwd: dir, env: { ...process.env, OPENAI_API_KEY: 'bench' }, stdio: 'ignore' });
}

/** Distinct custom_ids with an answer in the journal: what the run has durably acknowledged. */
async function journaledAnswers(): Promise<number> {
  const text = await readFile(join(dir, 'out.journal.jsonl'), 'utf8').catch(() => '');
  const ids = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.includes('"error":null')) continue;
    try {
      ids.add((JSON.parse(line) as OutputRecord).custom_id);
    } catch {
      // a torn last line: not acknowledged
    }
  }
  return ids.size;
}

const started = performance.now();
let inFlightAtKills = 0;
for (let k = 1; k <= kills; k++) {
  const child = runChild();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const delayMs = Math.round(2000 + random() * 14_000);
  await sleep(delayMs);
  const before = await stats();
  child.kill('SIGKILL');
  await exited;
  await sleep(500); // let the server notice the dropped connections
  const after = await stats();
  const acknowledged = await journaledAnswers();
  // Sent and not durably acknowledged: dropped mid-request, or answered but not yet journaled.
  const droppedMidRequest = after.aborted - before.aborted;
  const answeredNotJournaled = after.successes - after.duplicateSuccesses - acknowledged;
  inFlightAtKills += droppedMidRequest + answeredNotJournaled;
  console.log(
    JSON.stringify({
      kill: k,
      afterMs: delayMs,
      journaled: acknowledged,
      serverInFlight: before.inFlight,
      droppedMidRequest,
      answeredNotJournaled,
      successes: after.successes,
      duplicates: after.duplicateSuccesses,
    }),
  );
}
const final = runChild();
const code = await new Promise<number | null>((resolve) => final.once('exit', resolve));
const end = await stats();
sim.kill('SIGINT');

const out = (await readFile(join(dir, 'out.jsonl'), 'utf8')).split('\n').filter(Boolean);
const ids = new Set(out.map((l) => (JSON.parse(l) as OutputRecord).custom_id));
console.log(
  JSON.stringify({
    items,
    kills,
    finalExitCode: code,
    outputLines: out.length,
    uniqueCustomIds: ids.size,
    duplicateSuccesses: end.duplicateSuccesses,
    inFlightAtKills,
    serverRequests: end.requests,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  }),
);
await rm(dir, { recursive: true, force: true });
