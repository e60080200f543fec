/**
 * `volley flow` under faults, a malformed input line and `kill -9`, then resumed, over real HTTP
 * against `volley sim` in its own process (3,000 requests per minute, 300 ms median latency, 5%
 * 500s, 2% 503s, 1% malformed bodies). The flow is the shipped article chain (outline, a section
 * per title, intro). After the kills, one more run finishes the job. Printed, and checked:
 * - every input line has exactly one record, output or error, in input order (the malformed line
 *   an `invalid_input` error);
 * - finished steps are not paid again: the simulator's duplicate successes (answers to a request
 *   already answered once) are at most the steps answered but not yet journaled at the kills.
 * Run after `npm run build`, from the repository root:
 *   npx tsx bench/flow-kill.ts [inputs=300] [kills=3] [seed=5]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SimStats, startSim } from './sim-process.js';

const inputs = Number(process.argv[2] ?? 300);
const kills = Number(process.argv[3] ?? 3);
let seed = Number(process.argv[4] ?? 5);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const root = process.cwd();
const cli = join(root, 'dist/cli/main.js');
const flowModule = join(root, 'examples/article-flow.ts');

const dir = await mkdtemp(join(tmpdir(), 'volley-flow-kill-'));
const out = join(dir, 'out.jsonl');
const journal = join(dir, 'out.journal.jsonl');
const MALFORMED_LINE = Math.min(inputs, 37);
const lines = Array.from({ length: inputs }, (_, i) =>
  i + 1 === MALFORMED_LINE ? '{"topic": not json' : JSON.stringify(`topic number ${i + 1}`),
);
await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);

const sim = await startSim([
  '--rpm',
  '3000',
  '--latency',
  '300ms',
  '--spread',
  '0.25',
  '--fail-500',
  '0.05',
  '--fail-503',
  '0.02',
  '--malformed',
  '0.01',
  '--seed',
  '3',
]);
const { url } = sim;
const stats = () => sim.stats<SimStats>();

function runChild(): ChildProcess {
  const args = [
    cli,
    'flow',
    flowModule,
    '--export',
    'article',
    '--input',
    'in.jsonl',
    '--out',
    'out.jsonl',
    '--base-url',
    url,
    '--rpm',
    '3000',
    '--quiet',
  ];
  return spawn('node', args, { cwd: dir, env: { ...process.env, OPENAI_API_KEY: 'bench' }, stdio: 'ignore' });
}

/** Steps the journal holds (flow executor entries, by step key): what a resume will not pay again. */
async function journaledSteps(): Promise<number> {
  const text = await readFile(journal, 'utf8').catch(() => '');
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"t":"x"')) continue;
    try {
      const entry = JSON.parse(line) as { e?: { key?: string } };
      if (typeof entry.e?.key === 'string') keys.add(entry.e.key);
    } catch {
      // a torn last line: never acknowledged
    }
  }
  return keys.size;
}

const started = performance.now();
let notJournaledAtKills = 0;
for (let k = 1; k <= kills; k++) {
  const child = runChild();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Killed once the server has answered a random number of this invocation's calls, so that a
  // slow start (tsx loading the flow module on a loaded machine) does not decide where it falls.
  const target = (await stats()).successes + Math.round(60 + random() * 240);
  let ended: number | null | undefined;
  void exited.then((code) => {
    ended = code;
  });
  while (ended === undefined && (await stats()).successes < target) await sleep(50);
  if (ended !== undefined) {
    console.log(JSON.stringify({ kill: k, note: `the run ended (exit ${ended}) before the kill` }));
    continue;
  }
  child.kill('SIGKILL');
  await exited;
  await sleep(500); // let the server notice the dropped connections
  const after = await stats();
  const steps = await journaledSteps();
  // Answered (paid) but not durably journaled: a resume asks for these again.
  const answeredNotJournaled = Math.max(0, after.successes - after.duplicateSuccesses - steps);
  notJournaledAtKills += answeredNotJournaled;
  console.log(
    JSON.stringify({
      kill: k,
      afterSuccesses: target,
      journaledSteps: steps,
      serverSuccesses: after.successes,
      answeredNotJournaled,
      duplicates: after.duplicateSuccesses,
    }),
  );
}
const final = runChild();
const code = await new Promise<number | null>((resolve) => final.once('exit', resolve));
const end = await stats();
await sim.close();

interface FlowLine {
  custom_id: string;
  line: number;
  output: unknown;
  error: { code: string } | null;
  calls: number;
  steps_from_journal: number;
}
const records = (await readFile(out, 'utf8'))
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as FlowLine);
const inOrder = records.every((r, i) => r.line === i + 1);
const oneEach = records.length === inputs && new Set(records.map((r) => r.line)).size === inputs;
const answered = records.filter((r) => r.error === null && r.output !== null).length;
const failed = records.filter((r) => r.error !== null);
const malformed = records.find((r) => r.line === MALFORMED_LINE);
const failures: Record<string, number> = {};
for (const r of failed) failures[r.error!.code] = (failures[r.error!.code] ?? 0) + 1;
const result = {
  inputs,
  kills,
  finalExitCode: code,
  records: records.length,
  oneRecordPerInput: oneEach,
  inInputOrder: inOrder,
  answered,
  errors: failed.length,
  errorCodes: failures,
  malformedLine: malformed ? { line: malformed.line, code: malformed.error?.code ?? null } : null,
  stepsFromJournalInFinalRun: records.reduce((n, r) => n + r.steps_from_journal, 0),
  serverRequests: end.requests,
  serverSuccesses: end.successes,
  // Each answered input took five calls (outline, three sections, intro): paid once each, plus
  // the duplicates.
  callsPaidOnce: end.successes - end.duplicateSuccesses,
  duplicateSuccesses: end.duplicateSuccesses,
  answeredNotJournaledAtKills: notJournaledAtKills,
  totalSeconds: Math.round((performance.now() - started) / 1000),
};
console.log(JSON.stringify(result));
const pass =
  oneEach &&
  inOrder &&
  malformed?.error?.code === 'invalid_input' &&
  end.duplicateSuccesses <= notJournaledAtKills;
console.log(pass ? 'PASS' : 'FAIL');
await rm(dir, { recursive: true, force: true });
process.exitCode = pass ? 0 : 1;
