/**
 * Five `kill -9` of a real `volley run` process, each followed by a resume, against `volley sim` in
 * its own process at a high rate (60,000 requests a minute by default: about 1,000 answers a
 * second). The kills:
 *
 *   1. mid-run, once a random share of the lines has been answered;
 *   2. mid-run again, in the resume;
 *   3. during the final rebuild of the resume that finishes: once its compacted journal is sealed,
 *      a random few milliseconds later (before, between or after the renames);
 *   - a resume then finishes the run: a finished output of N lines;
 *   4. a rerun with 2% of the lines edited, a random 5 to 300 ms after it starts (where an older
 *      Volley truncated the finished output before reading its journal);
 *   5. that rerun again, during its final rebuild;
 *   - a last resume finishes it.
 *
 * After every kill the output is checked: absent (no invocation has finished yet) or whole (every
 * line a JSON record, ending in a newline), and never shorter than a finished run's. At the end:
 * exactly N unique custom_ids, and the edited lines answered anew. Duplicate paid calls are the
 * simulator's counter (a prompt answered twice). At each kill, the calls in flight are those the
 * client had sent and not yet journaled: on the server then (received, not answered), or answered
 * and not yet in the journal. The lines answered and not journaled are what a resume pays again.
 *
 * Run after `npm run build`, from the repository root (alone: `flock /tmp/volley-bench.lock ...`):
 *   npx tsx bench/kill-resume.ts [--items 20000] [--rpm 60000] [--latency 300ms] [--seed 7]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type SimStats, startSim } from './sim-process.js';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    rpm: { type: 'string', default: '60000' },
    latency: { type: 'string', default: '300ms' },
    seed: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
  },
});
const items = Number(flags.items);
const rpm = Number(flags.rpm);
let seed = Number(flags.seed);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const between = (low: number, high: number) => Math.round(low + random() * (high - low));
const cli = join(process.cwd(), 'dist/cli/main.js');

const dir = await mkdtemp(join(tmpdir(), 'volley-kill-'));
const input = join(dir, 'in.jsonl');
const out = join(dir, 'out.jsonl');
const journal = join(dir, 'out.journal.jsonl');
const prompts = Array.from({ length: items }, (_, i) => `Prompt ${i + 1}: one line, please.`);
const writeInput = () => writeFile(input, `${prompts.map((p) => JSON.stringify(p)).join('\n')}\n`);
await writeInput();

const sim = await startSim([
  '--rpm',
  String(rpm),
  '--burst',
  '1s',
  '--latency',
  flags.latency,
  '--spread',
  '0.25',
]);
const { url } = sim;
const stats = () => sim.stats<SimStats>();

interface Invocation {
  readonly child: ChildProcess;
  readonly startedAt: number;
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  hasExited: boolean;
}

function invoke(extra: string[] = []): Invocation {
  const args = [
    cli,
    'run',
    'in.jsonl',
    '--out',
    'out.jsonl',
    '--base-url',
    url,
    '--rpm',
    String(rpm),
    '-q',
    ...extra,
  ];
  const child = spawn('node', args, {
    cwd: dir,
    env: { ...process.env, OPENAI_API_KEY: 'sk-bench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr!.resume();
  const run: Invocation = {
    child,
    startedAt: performance.now(),
    stdout: () => text,
    hasExited: false,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  void run.exited.then(() => (run.hasExited = true));
  return run;
}

/**
 * Answers the journal has ever held, by line and request hash (a record line or an index line),
 * added up over the kills: an edited line's old answer, superseded and compacted away later, was
 * still journaled once.
 */
const everJournaled = new Set<string>();
async function journaledAnswers(): Promise<number> {
  const text = await readFile(journal, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"t":"r"') && !line.startsWith('{"t":"i"')) continue;
    const head = line.startsWith('{"t":"r"') ? `${line.slice(0, line.indexOf(',"r":'))}}` : line;
    try {
      const meta = JSON.parse(head) as { k: string; h: string; s: string };
      if (meta.s === 'ok') everJournaled.add(`${meta.k} ${meta.h}`);
    } catch {
      // a torn last line: never acknowledged
    }
  }
  return everJournaled.size;
}

/** The output's records by custom_id, each line checked to be whole; undefined when there is none. */
async function outputRecords(): Promise<Map<string, string> | undefined> {
  const text = await readFile(out, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  if (text !== '' && !text.endsWith('\n')) throw new Error('the output ends in the middle of a line');
  const records = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const record = JSON.parse(line) as {
      custom_id: string;
      response?: { body?: { choices?: { message: { content: string } }[] } };
    };
    records.set(record.custom_id, record.response?.body?.choices?.[0]?.message.content ?? '');
  }
  return records;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether the compacted journal ends in its seal: the invocation is rebuilding its output. */
async function sealed(): Promise<boolean> {
  const file = await open(`${journal}.compact`, 'r').catch(() => undefined);
  if (!file) return false;
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 512));
    await file.read(tail, 0, tail.length, size - tail.length);
    return tail.includes('{"t":"z"');
  } finally {
    await file.close();
  }
}

type Moment =
  | { kind: 'answered'; share: number }
  | { kind: 'after'; ms: number }
  | { kind: 'rebuild'; delayMs: number };

/** Waits for the moment; false when the invocation exited first. */
async function until(run: Invocation, moment: Moment, base: SimStats): Promise<boolean> {
  if (moment.kind === 'after') {
    await sleep(moment.ms);
    return !run.hasExited;
  }
  while (!run.hasExited) {
    if (moment.kind === 'answered') {
      const now = await stats();
      if (now.successes - base.successes >= moment.share * items) return true;
      await sleep(5);
    } else if (await sealed()) {
      await sleep(moment.delayMs);
      return !run.hasExited;
    } else {
      await sleep(1);
    }
  }
  return false;
}

function describe(moment: Moment): string {
  if (moment.kind === 'answered') return `${Math.round(moment.share * 100)}% of N answered`;
  if (moment.kind === 'after') return `${moment.ms} ms after start`;
  return `rebuild, seal + ${moment.delayMs} ms`;
}

/** Which step of the end of the invocation the kill left the files in. */
async function phase(): Promise<string> {
  // The compacted journal is written alongside the run: only its seal says the run was ending.
  const compact = await exists(`${journal}.compact`);
  const partial = await exists(`${out}.partial`);
  if (await sealed()) return 'sealed, before the journal rename';
  if (compact) return 'mid-run';
  if (partial) return 'between the renames';
  return (await exists(out)) ? 'output in place' : 'no output yet';
}

interface Row {
  kill: number;
  moment: string;
  killedAtMs: number;
  files: string;
  outputBefore: number | null;
  outputAfter: number | null;
  whole: boolean;
  serverInFlight: number;
  answeredNotJournaled: number;
  inFlight: number;
  journaled: number;
}

const rows: Row[] = [];
let finishedLines: number | undefined;
let truncated = 0;
const edited = new Map<string, string>();

async function killAt(kill: number, moment: Moment, extra: string[] = []): Promise<void> {
  const before = await outputRecords();
  const base = await stats();
  const run = invoke(extra);
  const reached = await until(run, moment, base);
  const atKill = await stats();
  const killedAtMs = Math.round(performance.now() - run.startedAt);
  if (reached) run.child.kill('SIGKILL');
  await run.exited;
  await sleep(300); // the server notices the dropped connections
  const after = await stats();
  const files = reached ? await phase() : 'exited before the kill';
  const journaled = await journaledAnswers();
  let kept: Map<string, string> | undefined;
  let whole = true;
  try {
    kept = await outputRecords();
  } catch {
    whole = false;
  }
  // A finished run's output is only ever replaced whole: never absent, never shorter.
  if (!whole || (finishedLines !== undefined && (kept?.size ?? 0) < finishedLines)) truncated++;
  // Lines answered at least once that the journal does not have: a resume pays for them again.
  const answeredNotJournaled = after.successes - after.duplicateSuccesses - journaled;
  rows.push({
    kill,
    moment: describe(moment),
    killedAtMs,
    files,
    outputBefore: before?.size ?? null,
    outputAfter: kept?.size ?? null,
    whole,
    serverInFlight: atKill.inFlight,
    answeredNotJournaled,
    inFlight: atKill.inFlight + answeredNotJournaled,
    journaled,
  });
}

async function finish(
  extra: string[] = [],
): Promise<{ code: number | null; summary: Record<string, unknown> }> {
  const run = invoke(['--json', ...extra]);
  const code = await run.exited;
  return { code, summary: JSON.parse(run.stdout()) as Record<string, unknown> };
}

const started = performance.now();
const load = loadavg()[0]!;
await killAt(1, { kind: 'answered', share: between(10, 30) / 100 });
await killAt(2, { kind: 'answered', share: between(10, 30) / 100 });
await killAt(3, { kind: 'rebuild', delayMs: between(0, 15) });
const resumed = await finish();
finishedLines = (await outputRecords())?.size;
const answers = (await outputRecords())!;
// Edit 2% of the lines: their requests change, so a rerun sends them again.
for (let i = 0; i < items; i += 50) {
  prompts[i] = `${prompts[i]} (edited)`;
  edited.set(`line-${i + 1}`, answers.get(`line-${i + 1}`) ?? '');
}
await writeInput();
await killAt(4, { kind: 'after', ms: between(5, 300) });
await killAt(5, { kind: 'rebuild', delayMs: between(0, 15) });
const last = await finish();
const end = await stats();
await sim.close();

const records = (await outputRecords())!;
const expected = Array.from({ length: items }, (_, i) => `line-${i + 1}`);
const reanswered = [...edited].filter(
  ([id, old]) => records.get(id) !== undefined && records.get(id) !== old,
).length;
const inFlightAtKills = rows.reduce((sum, r) => sum + r.inFlight, 0);

console.log(
  `kill -9 of volley run: ${items} lines, ${rpm} rpm (sim latency ${flags.latency}), load average ${load.toFixed(2)} at the start`,
);
console.table(
  rows.map((r) => ({
    kill: r.kill,
    moment: r.moment,
    'killed at': `${r.killedAtMs} ms`,
    'files left': r.files,
    'output before': r.outputBefore ?? '-',
    'output after': r.outputAfter ?? '-',
    whole: r.whole,
    journaled: r.journaled,
    'server in flight': r.serverInFlight,
    'answered, not journaled': r.answeredNotJournaled,
    'in flight (client)': r.inFlight,
  })),
);
const result = {
  items,
  rpm,
  kills: rows.filter((r) => r.files !== 'exited before the kill').length,
  resumeAfterKill3: { exitCode: resumed.code, resume: resumed.summary['resume'] },
  finalExitCode: last.code,
  finalResume: last.summary['resume'],
  outputLines: records.size,
  exactlyTheInput: records.size === items && expected.every((id) => records.has(id)),
  editedLines: edited.size,
  editedAnsweredAnew: reanswered,
  truncatedOutputs: truncated,
  duplicatePaidCalls: end.duplicateSuccesses,
  inFlightAtKills,
  duplicatesWithinInFlight: end.duplicateSuccesses <= inFlightAtKills,
  serverRequests: end.requests,
  totalSeconds: Math.round((performance.now() - started) / 1000),
  loadAverageAtEnd: Number(loadavg()[0]!.toFixed(2)),
};
console.log(JSON.stringify(result, null, 2));
if (!flags.keep) await rm(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
