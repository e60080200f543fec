/**
 * Issue 12's Batch API figures through the built command line, over real HTTP, against `volley sim`
 * in a process of its own; every count is the simulator's `GET /stats`:
 *
 *   a. 1,200 lines with 2% failing inside each batch (a 500 nested in the line's result): every
 *      line answered exactly once, in input order, nothing paid twice;
 *   b. 120,001 lines become 3 OpenAI files (50,000 lines a file at most);
 *   c. `kill -9` of `volley run --mode batch-api` just after its upload, then again while it polls,
 *      then a rerun that finishes: one upload and one create in all;
 *   d. `--mode auto` with a deadline shorter than the batch would take (and than its window): the
 *      realtime share, what each path cost, and whether the deadline was met.
 *
 * Run after `npm run build`, from the repository root (alone: `flock /tmp/volley-bench.lock ...`):
 *   npx tsx bench/batch-api.ts [--only a|b|c|d] [--keep]
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type SimProcess, startSim, volley } from './sim-process.js';

const { values: flags } = parseArgs({
  options: { only: { type: 'string' }, keep: { type: 'boolean', default: false } },
});

interface Stats {
  requests: number;
  successes: number;
  duplicatePaid: number;
  batches: {
    filesUploaded: number;
    batchesCreated: number;
    linesAnswered: number;
    linesFailed: number;
    linesNotRun: number;
  };
}

interface OutRecord {
  custom_id: string;
  error: unknown;
}

const dir = await mkdtemp(join(tmpdir(), 'volley-batch-api-bench-'));
let failures = 0;
const check = (what: string, ok: boolean) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

async function writeInput(name: string, lines: number): Promise<string[]> {
  const ids: string[] = [];
  const file = createWriteStream(join(dir, name));
  for (let i = 1; i <= lines; i++) {
    ids.push(`q${i}`);
    const line = `${JSON.stringify({ custom_id: `q${i}`, prompt: `Question ${i}: one line, please.` })}\n`;
    if (!file.write(line)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => file.end(() => resolve()));
  return ids;
}

async function records(name: string): Promise<OutRecord[]> {
  const text = await readFile(join(dir, name), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutRecord);
}

/** Every input line has one record, in input order, and none is a failure. */
async function answeredOnceInOrder(out: string, ids: readonly string[]): Promise<boolean> {
  const got = await records(out);
  return got.length === ids.length && got.every((r, i) => r.custom_id === ids[i] && r.error === null);
}

function run(args: readonly string[], url: string) {
  return volley(['run', ...args, '--base-url', url, '-q'], dir);
}

async function withSim<T>(args: readonly string[], body: (sim: SimProcess) => Promise<T>): Promise<T> {
  const sim = await startSim(args);
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

async function failingLines(): Promise<void> {
  const ids = await writeInput('a.jsonl', 1_200);
  await withSim(['--batch-time-scale', '36000', '--batch-fail-500', '0.02'], async (sim) => {
    const started = performance.now();
    const code = await run(
      ['a.jsonl', '-o', 'a.out.jsonl', '--mode', 'batch-api', '--poll', '200ms'],
      sim.url,
    ).exited;
    const s = await sim.stats<Stats>();
    const b = s.batches;
    console.log(
      `a. 1,200 lines, 2% failing in each batch: exit ${code} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `${b.filesUploaded} uploads, ${b.batchesCreated} batches, ${b.linesAnswered} lines answered, ` +
        `${b.linesFailed} failed inside a batch (sent again), ${s.duplicatePaid} paid twice, ${s.successes} realtime calls`,
    );
    check('exit 0', code === 0);
    check('every line answered once, in input order', await answeredOnceInOrder('a.out.jsonl', ids));
    check(
      'the server billed 1,200 lines and nothing twice',
      b.linesAnswered === 1_200 && s.duplicatePaid === 0,
    );
    check(
      'some lines failed inside the first batch and went in another',
      b.linesFailed > 0 && b.batchesCreated > 1,
    );
  });
}

async function threeFiles(): Promise<void> {
  const ids = await writeInput('b.jsonl', 120_001);
  await withSim(['--batch-time-scale', '36000', '--batch-ms-per-line', '1'], async (sim) => {
    const started = performance.now();
    const invocation = run(
      ['b.jsonl', '-o', 'b.out.jsonl', '--mode', 'batch-api', '--poll', '500ms'],
      sim.url,
    );
    const code = await invocation.exited;
    const b = (await sim.stats<Stats>()).batches;
    console.log(
      `b. 120,001 lines: exit ${code} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `${b.filesUploaded} files uploaded, ${b.batchesCreated} batches, ${b.linesAnswered} lines answered`,
    );
    check('3 files, 3 batches', b.filesUploaded === 3 && b.batchesCreated === 3);
    check('every line answered once, in input order', await answeredOnceInOrder('b.out.jsonl', ids));
  });
}

/** Waits until `ready` holds of the simulator's counters, looking every `everyMs`. */
async function until(sim: SimProcess, ready: (s: Stats) => boolean, everyMs: number): Promise<Stats> {
  for (;;) {
    const s = await sim.stats<Stats>();
    if (ready(s)) return s;
    await sleep(everyMs);
  }
}

async function killWhilePolling(): Promise<void> {
  const ids = await writeInput('c.jsonl', 100);
  // 50 ms of real time a line: the batch takes 5 s, long enough to be killed while it is polled.
  await withSim(['--batch-time-scale', '600', '--batch-ms-per-line', '30000'], async (sim) => {
    const args = ['c.jsonl', '-o', 'c.out.jsonl', '--mode', 'batch-api', '--poll', '300ms'];
    const first = run(args, sim.url);
    const atUpload = await until(sim, (s) => s.batches.filesUploaded > 0, 2);
    first.child.kill('SIGKILL');
    await first.exited;
    const afterFirst = (await sim.stats<Stats>()).batches;
    const second = run(args, sim.url);
    const created = await until(sim, (s) => s.batches.batchesCreated > 0, 20);
    await sleep(1_500); // five polls or so
    const atPoll = await sim.stats<Stats>();
    second.child.kill('SIGKILL');
    await second.exited;
    const third = run([...args, '--json'], sim.url);
    const code = await third.exited;
    const end = await sim.stats<Stats>();
    const summary = JSON.parse(third.stdout()) as { invocation: number };
    console.log(
      `c. kill -9 once the upload was seen (${atUpload.batches.filesUploaded} upload, ${afterFirst.batchesCreated} created at the kill), ` +
        `again 1.5 s into polling (${created.batches.batchesCreated} batch, ${atPoll.batches.linesAnswered} of 100 lines done), ` +
        `then a rerun: exit ${code}, invocation ${summary.invocation}; in all ${end.batches.filesUploaded} upload, ` +
        `${end.batches.batchesCreated} create, ${end.batches.linesAnswered} lines answered, ${end.duplicatePaid} paid twice`,
    );
    check('killed while the batch was in progress', atPoll.batches.linesAnswered < 100);
    check(
      'one upload and one create in all',
      end.batches.filesUploaded === 1 && end.batches.batchesCreated === 1,
    );
    check('every line answered once, in input order', await answeredOnceInOrder('c.out.jsonl', ids));
    check('nothing paid twice', end.duplicatePaid === 0 && end.batches.linesAnswered === 100);
  });
}

async function autoDeadline(): Promise<void> {
  const lines = 1_000;
  const ids = await writeInput('d.jsonl', lines);
  // Batch time 600 times faster: a line takes 100 ms, so the batch would need 100 s (its window is
  // 144 s); the run has 40 s. Realtime: 3,000 rpm, stated in the server's headers only.
  const simArgs = [
    '--rpm',
    '3000',
    '--latency',
    '100ms',
    '--batch-time-scale',
    '600',
    '--batch-ms-per-line',
    '60000',
  ];
  await withSim(simArgs, async (sim) => {
    const started = performance.now();
    const invocation = run(
      ['d.jsonl', '-o', 'd.out.jsonl', '--mode', 'auto', '--finish-by', '40s', '--poll', '1s'].concat([
        '--cancel-allowance',
        '2s',
        '--json',
      ]),
      sim.url,
    );
    const code = await invocation.exited;
    const wallS = (performance.now() - started) / 1000;
    const s = await sim.stats<Stats>();
    const summary = JSON.parse(invocation.stdout()) as {
      costUsd: number;
      closing?: { detail?: string };
    };
    const batch = s.batches.linesAnswered;
    console.log(
      `d. --mode auto --finish-by 40s, ${lines} lines a batch would answer in 100 s: exit ${code}, ${wallS.toFixed(1)} s from process start; ` +
        `batch ${batch} lines, realtime ${s.successes} (${((100 * s.successes) / lines).toFixed(1)}% realtime), ${s.duplicatePaid} paid twice; cost $${summary.costUsd.toFixed(6)}`,
    );
    console.log(`   paths: ${summary.closing?.detail}`);
    check('every line answered once, in input order', await answeredOnceInOrder('d.out.jsonl', ids));
    check('no line paid in both paths', s.duplicatePaid === 0 && batch + s.successes === lines);
    check('both paths answered lines', batch > 0 && s.successes > 0);
    check('deadline met (the run says so)', /deadline met/.test(summary.closing?.detail ?? ''));
    check('within 40 s of the process start too', wallS <= 40);
  });
}

const cases: Record<string, () => Promise<void>> = {
  a: failingLines,
  b: threeFiles,
  c: killWhilePolling,
  d: autoDeadline,
};
console.log(
  `volley Batch API bench, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the start`,
);
for (const [name, body] of Object.entries(cases)) if (!flags.only || flags.only.includes(name)) await body();
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end; ${failures} checks failed`,
);
if (failures > 0) process.exitCode = 1;
if (!flags.keep) await rm(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
