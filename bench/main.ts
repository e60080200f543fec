/**
 * `npm run bench`: Volley side by side with what users write instead, on the same simulated provider,
 * plus the scheduler's own throughput and a batch's peak memory, each beside its previous figure.
 *
 *   npx tsx bench/main.ts                     the full run (about half an hour)
 *   npx tsx bench/main.ts --quick             the short one (under ten minutes)
 *   npx tsx bench/main.ts --only requests     one scenario (requests, tokens, latency, faults,
 *                                             article) or one figure (scheduler, memory)
 *   npx tsx bench/main.ts --contenders volley,p-limit   only these contenders
 *
 * Results go to bench/results.json and bench/RESULTS.md; a partial run (`--only`, `--contenders`)
 * replaces only what it measured.
 */
import { parseArgs } from 'node:util';
import { CONTENDERS } from './contenders/index.js';
import { measure, measureMemory, measureScheduler, type RunResult } from './measure.js';
import {
  appendHistory,
  headline,
  type MemoryResult,
  machine,
  memoryLine,
  packageVersions,
  previousOf,
  type Results,
  readPrevious,
  type ScenarioResult,
  type SchedulerResult,
  schedulerLine,
  textTable,
  verdict,
  writeResults,
} from './report.js';
import { capFor, chargedTokens, ideal, scenarios } from './scenarios.js';

const SCHEDULER_CALLS = 100_000;
/** A million lines in the full run; a quarter of that keeps the quick one well under ten minutes. */
const MEMORY_LINES = { quick: 250_000, full: 1_000_000 };

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    contenders: { type: 'string' },
  },
});
const quick = values.quick;
const mode: 'quick' | 'full' = quick ? 'quick' : 'full';
const all = scenarios(quick);
const extras = ['scheduler', 'memory'];
if (values.only !== undefined && !all.some((s) => s.name === values.only) && !extras.includes(values.only)) {
  const known = [...all.map((s) => s.name), ...extras].join(', ');
  console.error(`Unknown --only "${values.only}". Known: ${known}.`);
  process.exit(2);
}
const ids = CONTENDERS.map((c) => c.id);
const chosen = values.contenders?.split(',').map((id) => id.trim()) ?? ids;
for (const id of chosen) {
  if (!CONTENDERS.some((c) => c.id === id)) {
    console.error(`Unknown contender "${id}". Known: ${CONTENDERS.map((c) => c.id).join(', ')}.`);
    process.exit(2);
  }
}
const wants = (name: string) => values.only === undefined || values.only === name;

const previous = readPrevious();
const started = performance.now();
const date = new Date().toISOString();
const measured: ScenarioResult[] = [];

console.log(
  `Volley bench (${mode}) · ${machine().cpu}, ${machine().cores} cores · node ${process.version}\n`,
);
for (const scenario of all.filter((s) => wants(s.name))) {
  const plan = ideal(scenario, await chargedTokens(scenario));
  const capMs = capFor(plan.makespanMs, quick);
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    mode,
    date,
    config: {
      sim: scenario.sim,
      items: scenario.prompts.length,
      ...(scenario.article ? { article: scenario.article } : {}),
      ...(scenario.timeoutMs === undefined ? {} : { timeoutMs: scenario.timeoutMs }),
      capMs,
    },
    ideal: plan,
    runs: [],
  };
  console.log(headline(result));
  for (const id of chosen) {
    const run: RunResult = await measure(scenario, id, plan.itemsPerSecond, capMs);
    result.runs.push(run);
    process.stdout.write(`  ${id}: ${run.ok}/${run.items} ok in ${(run.makespanMs / 1000).toFixed(1)} s\n`);
  }
  console.log(`${textTable(result.runs)}\n${verdict(result).text}\n`);
  measured.push(result);
}

const history = previous?.history ?? { scheduler: [], memory: [] };
let scheduler: SchedulerResult | undefined;
if (wants('scheduler')) {
  scheduler = { date, mode, ...(await measureScheduler(SCHEDULER_CALLS)) };
  console.log(schedulerLine(scheduler, previousOf(history.scheduler, scheduler)));
}
let memory: MemoryResult | undefined;
if (wants('memory')) {
  try {
    memory = { date, mode, ...(await measureMemory(MEMORY_LINES[mode])) };
  } catch (error) {
    memory = { date, mode, skipped: error instanceof Error ? error.message : String(error) };
  }
  console.log(memoryLine(memory, previousOf(history.memory, memory)));
}

// The results keep the latest tables of each mode; a partial run (`--only`, `--contenders`) also keeps
// what it did not measure of its own mode.
const partial = values.only !== undefined || values.contenders !== undefined;
const before = (previous?.scenarios ?? []).filter((s) => s.mode !== mode || partial);
const same = (a: ScenarioResult, b: ScenarioResult) => a.name === b.name && a.mode === b.mode;
const merged = before.filter((s) => !measured.some((m) => same(m, s)));
for (const result of measured) {
  const old = before.find((s) => same(s, result));
  const others = old?.runs.filter((r) => !chosen.includes(r.contender)) ?? [];
  const runs = [...others, ...result.runs];
  runs.sort((a, b) => ids.indexOf(a.contender) - ids.indexOf(b.contender));
  merged.push({ ...result, runs });
}
const order = all.map((s) => s.name);
const modes = ['full', 'quick'];
merged.sort(
  (a, b) => modes.indexOf(a.mode) - modes.indexOf(b.mode) || order.indexOf(a.name) - order.indexOf(b.name),
);
const results: Results = {
  date,
  machine: machine(),
  node: process.version,
  packages: packageVersions(),
  scenarios: merged,
  history: {
    scheduler: appendHistory(history.scheduler, scheduler),
    memory: appendHistory(history.memory, memory),
  },
};
writeResults(results);
console.log(
  `\nwrote bench/results.json and bench/RESULTS.md in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
