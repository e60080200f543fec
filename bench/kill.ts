/**
 * Five `kill -9` of a real `volley run` process at random moments, the last one while it rebuilds
 * its output at the end, each followed by a resume, against `volley sim` in its own process (6,000
 * requests per minute, 400 ms median latency). After every kill the output is checked: absent (the
 * first invocation never finished) or whole, never truncated. At the end: exactly one record per
 * input line, and the simulator's duplicate-success counter (answers paid twice) within the calls
 * that were in flight at the kills. Run after `npm run build`, from the repository root:
 *   npx tsx bench/kill.ts [items] [kills] [seed]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
const out = join(dir, 'out.jsonl');
const journal = join(dir, 'out.journal.jsonl');
const lines = Array.from({ length: items }, (_, i) => JSON.stringify(`Prompt ${i + 1}: one line, please.`));
await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);

const sim = spawn(
  'node',
  [cli, 'sim', '--port', '0', '--rpm', '6000', '--burst', '1s', '--latency', '400ms', '--spread', '0.25'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
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

/** Keys with an answer in the journal, a record line or an index line: what the run durably has. */
async function journaledAnswers(): Promise<number> {
  const text = await readFile(journal, 'utf8').catch(() => '');
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"t":"r"') && !line.startsWith('{"t":"i"')) continue;
    const head = line.startsWith('{"t":"r"') ? `${line.slice(0, line.indexOf(',"r":'))}}` : line;
    try {
      const meta = JSON.parse(head) as { k: string; s: string };
      if (meta.s === 'ok') keys.add(meta.k);
    } catch {
      // a torn last line: not acknowledged
    }
  }
  return keys.size;
}

/** The output's lines, each checked to be a whole record: a kill must never leave it cut. */
async function outputLines(): Promise<number | undefined> {
  const text = await readFile(out, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  if (text !== '' && !text.endsWith('\n')) throw new Error('the output ends in the middle of a line');
  const records = text.split('\n').filter(Boolean);
  for (const record of records) JSON.parse(record);
  return records.length;
}

/** Waits until the run is rebuilding its output at the end (its compacted journal is sealed). */
async function untilRebuilding(child: ChildProcess): Promise<string> {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (!exited) {
    const compact = await readFile(`${journal}.compact`, 'utf8').catch(() => '');
    if (compact.includes('{"t":"z"')) return 'sealed';
    if (!(await exists(`${journal}.compact`)) && (await exists(`${out}.partial`))) return 'journal renamed';
    await sleep(1);
  }
  return 'exited first';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const started = performance.now();
let inFlightAtKills = 0;
let truncated = 0;
for (let k = 1; k <= kills; k++) {
  const before = await outputLines();
  const child = runChild();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const last = k === kills;
  const delayMs = Math.round(2000 + random() * 14_000);
  let moment = `after ${delayMs} ms`;
  if (last) moment = await untilRebuilding(child);
  else await sleep(delayMs);
  const server = await stats();
  child.kill('SIGKILL');
  await exited;
  await sleep(500); // let the server notice the dropped connections
  const after = await stats();
  const acknowledged = await journaledAnswers();
  let kept: number | undefined;
  try {
    kept = await outputLines();
    if (before !== undefined && (kept === undefined || kept < before)) truncated++;
  } catch {
    truncated++;
  }
  // Sent and not durably acknowledged: dropped mid-request, or answered but not yet journaled.
  const droppedMidRequest = after.aborted - server.aborted;
  const answeredNotJournaled = after.successes - after.duplicateSuccesses - acknowledged;
  inFlightAtKills += droppedMidRequest + answeredNotJournaled;
  console.log(
    JSON.stringify({
      kill: k,
      moment,
      journaled: acknowledged,
      outputBefore: before ?? null,
      outputAfter: kept ?? null,
      serverInFlight: server.inFlight,
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

const records = (await readFile(out, 'utf8')).split('\n').filter(Boolean);
const ids = new Set(records.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id));
console.log(
  JSON.stringify({
    items,
    kills,
    finalExitCode: code,
    outputLines: records.length,
    uniqueCustomIds: ids.size,
    truncatedOutputs: truncated,
    duplicateSuccesses: end.duplicateSuccesses,
    inFlightAtKills,
    serverRequests: end.requests,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  }),
);
await rm(dir, { recursive: true, force: true });
