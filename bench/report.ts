/**
 * The output: a table per scenario on the terminal, and `bench/results.json` plus `bench/RESULTS.md`
 * with the machine, the date, the versions, the tables and each scenario's configuration.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders/index.js';
import type { RunResult } from './measure.js';
import type { Ideal, Scenario, ScenarioName } from './scenarios.js';

const RESULTS_JSON = fileURLToPath(new URL('./results.json', import.meta.url));
const RESULTS_MD = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The peer (and own) packages whose versions the results name. */
const PACKAGES = [
  'openai',
  'p-limit',
  'p-queue',
  'bottleneck',
  '@langchain/openai',
  '@langchain/core',
  'tsx',
];
/** The issue's bar: Volley with no limits configured within this share of the best ratio. */
const WITHIN = 0.03;

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  readonly mode: 'quick' | 'full';
  readonly date: string;
  readonly config: {
    readonly sim: Scenario['sim'];
    readonly items: number;
    readonly article?: Scenario['article'];
    readonly timeoutMs?: number;
    readonly capMs: number;
  };
  readonly ideal: Ideal;
  readonly runs: RunResult[];
}

export interface SchedulerResult {
  readonly date: string;
  readonly mode: 'quick' | 'full';
  readonly calls: number;
  readonly ms: number;
  readonly perSecond: number;
}

export type MemoryResult =
  | {
      readonly date: string;
      readonly mode: 'quick' | 'full';
      readonly lines: number;
      readonly peakRssMB: number;
      readonly ms: number;
      readonly linesPerSecond: number;
    }
  | { readonly date: string; readonly mode: 'quick' | 'full'; readonly skipped: string };

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGB: number;
  readonly platform: string;
}

export interface Results {
  readonly date: string;
  readonly machine: Machine;
  readonly node: string;
  readonly packages: Record<string, string>;
  readonly scenarios: ScenarioResult[];
  /** Every scheduler and memory figure so far, oldest first (the last few dozen). */
  readonly history: { readonly scheduler: SchedulerResult[]; readonly memory: MemoryResult[] };
}

/** How many past scheduler and memory figures results.json keeps. */
const HISTORY = 30;

export function appendHistory<T>(list: readonly T[], item: T | undefined): T[] {
  return (item === undefined ? [...list] : [...list, item]).slice(-HISTORY);
}

/** The figure before `current` measured the same way (same mode; same size for memory). */
export function previousOf<T extends SchedulerResult | MemoryResult>(
  list: readonly T[],
  current: T,
): T | undefined {
  const same = (a: T) =>
    a.mode === current.mode &&
    a.date !== current.date &&
    (!('lines' in a) || !('lines' in current) || a.lines === current.lines);
  return list.filter(same).at(-1);
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
  };
}

export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  const read = (dir: string) =>
    (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version: string }).version;
  versions['volley'] = read(ROOT);
  for (const name of PACKAGES) {
    try {
      versions[name] = read(`${ROOT}/node_modules/${name}`);
    } catch {
      versions[name] = 'missing';
    }
  }
  return versions;
}

export function readPrevious(): Results | undefined {
  if (!existsSync(RESULTS_JSON)) return undefined;
  try {
    return JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

export function writeResults(results: Results): void {
  writeFileSync(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(RESULTS_MD, markdown(results));
}

const label = (id: string) => CONTENDERS.find((c) => c.id === id)?.label ?? id;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every item succeeded. */
const complete = (run: RunResult) => run.ok === run.items;

/**
 * How Volley with no limits configured fares against the issue's bar: every item done, and a ratio
 * the highest, or within 3% of the highest, of the runs that completed every item. A run that gave
 * items up ends early, so its ratio (successes over a short makespan) says nothing about how fast
 * it would have finished them all; it cannot be the best.
 */
export function verdict(result: ScenarioResult): { pass: boolean; text: string } {
  const volley = result.runs.find((r) => r.contender === 'volley');
  if (!volley) return { pass: false, text: 'Volley (no limits) did not run.' };
  const finished = result.runs.filter(complete);
  const best = finished.length > 0 ? finished.reduce((a, b) => (b.ratio > a.ratio ? b : a)) : volley;
  const gap = best.ratio > 0 ? 1 - volley.ratio / best.ratio : 0;
  const parts: string[] = [];
  parts.push(
    complete(volley) ? `completed all ${volley.items}` : `completed ${volley.ok} of ${volley.items}`,
  );
  if (best.contender === 'volley')
    parts.push(`highest ratio of the complete runs (${volley.ratio.toFixed(3)})`);
  else {
    const where = gap <= WITHIN ? 'within' : 'behind';
    parts.push(
      `ratio ${volley.ratio.toFixed(3)}, ${(100 * gap).toFixed(1)}% ${where} the best complete run ` +
        `(${label(best.contender)}, ${best.ratio.toFixed(3)})`,
    );
  }
  const pass = complete(volley) && gap <= WITHIN;
  return { pass, text: `${pass ? 'PASS' : 'MISS'}: Volley, no limits: ${parts.join(', ')}.` };
}

interface Column {
  readonly head: string;
  readonly right?: boolean;
  readonly cell: (run: RunResult) => string;
}

const COLUMNS: readonly Column[] = [
  { head: 'contender', cell: (r) => label(r.contender) },
  { head: 'ok', right: true, cell: (r) => `${r.ok}/${r.items}` },
  { head: 'failed', right: true, cell: (r) => String(r.failed) },
  { head: 'makespan', right: true, cell: (r) => seconds(r.makespanMs) },
  { head: 'requests', right: true, cell: (r) => String(r.requests) },
  { head: '429s', right: true, cell: (r) => String(r.rateLimited) },
  { head: 'dup paid', right: true, cell: (r) => String(r.duplicateSuccesses) },
  { head: 'ratio', right: true, cell: (r) => r.ratio.toFixed(3) },
  {
    head: 'note',
    cell: (r) =>
      r.capped
        ? `stopped at the ${seconds(r.makespanMs)} cap`
        : r.error
          ? `error: ${r.error}`
          : complete(r)
            ? ''
            : `gave up on ${r.items - r.ok}: ratio not comparable`,
  },
];

/** The scenario's size and ceiling, in one line. */
function details(result: ScenarioResult): string {
  const i = result.ideal;
  const pace = Number.isFinite(i.callsPerSecond)
    ? `${i.callsPerSecond.toFixed(2)} calls/s (${i.bound})`
    : 'none';
  return (
    `${result.config.items} items · ceiling ${i.itemsPerSecond.toFixed(2)} items/s ` +
    `(ideal makespan ${seconds(i.makespanMs)}, pace ${pace}, ${i.tokensPerCall.toFixed(0)} tokens/call)`
  );
}

export function headline(result: ScenarioResult): string {
  return `${result.title} · ${details(result)}`;
}

/** A plain-text table, for the terminal. */
export function textTable(runs: readonly RunResult[]): string {
  const rows = runs.map((run) => COLUMNS.map((c) => c.cell(run)));
  const widths = COLUMNS.map((c, i) => Math.max(c.head.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (COLUMNS[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((c) => c.head)), ...rows.map(line)].join('\n');
}

/** A Markdown table padded the way the formatter (biome) lays one out, so the file stays lint-clean. */
function padTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const escaped = rows.map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = head.map((h, i) => Math.max(3, h.length, ...escaped.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...escaped.map(line)].join('\n');
}

function markdownTable(runs: readonly RunResult[]): string {
  return padTable(
    COLUMNS.map((c) => c.head),
    runs.map((run) => COLUMNS.map((c) => c.cell(run))),
    COLUMNS.map((c) => c.right === true),
  );
}

export function schedulerLine(
  current: SchedulerResult | undefined,
  previous: SchedulerResult | undefined,
): string {
  if (!current) return 'scheduler: not measured yet';
  const rate = (r: SchedulerResult) => `${Math.round(r.perSecond).toLocaleString('en-US')} calls/s`;
  const was = previous ? `${rate(previous)} on ${previous.date.slice(0, 16)}` : 'none';
  return (
    `scheduler (echo provider, zero latency, best of 3): ${current.calls.toLocaleString('en-US')} calls in ` +
    `${seconds(current.ms)} = ${rate(current)} · previous: ${was}`
  );
}

export function memoryLine(current: MemoryResult | undefined, previous: MemoryResult | undefined): string {
  const show = (m: MemoryResult) =>
    'skipped' in m
      ? `not measured (${m.skipped})`
      : `${m.lines.toLocaleString('en-US')} lines, peak RSS ${m.peakRssMB.toFixed(0)} MB, ` +
        `${Math.round(m.linesPerSecond).toLocaleString('en-US')} lines/s`;
  if (!current) return 'batch memory: not measured yet';
  const was = previous ? `${show(previous)} on ${previous.date.slice(0, 16)}` : 'none';
  return `batch memory (runBatch, echo provider, own process): ${show(current)} · previous: ${was}`;
}

function markdown(results: Results): string {
  const m = results.machine;
  const out: string[] = [
    '# Volley benchmark results',
    '',
    'Written by `npm run bench` (the full run) and `npm run bench -- --quick` (the short one); the latest',
    'tables of each are kept here, and the raw figures in `bench/results.json`. Every scenario starts a',
    'fresh built-in simulator on a local port and runs the same items through each contender in turn,',
    'each in a process of its own. How each figure is computed is described under [Method](#method).',
    '',
    `- Last written: ${results.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB memory, ${m.platform}`,
    `- Node: ${results.node}`,
    `- Packages: ${Object.entries(results.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
    '',
    '## Scenarios',
    '',
  ];
  const summary = results.scenarios.map((s) => [s.title, s.mode, verdict(s).text]);
  out.push(padTable(['scenario', 'mode', 'Volley, no limits'], summary, [false, false, false]), '');
  for (const s of results.scenarios) {
    out.push(`### ${s.title} (${s.mode})`, '');
    out.push(`${details(s)}. Mode: ${s.mode}, measured ${s.date}.`, '');
    out.push(markdownTable(s.runs), '');
    out.push(verdict(s).text, '');
    out.push('<details><summary>Configuration</summary>', '', '```json');
    out.push(JSON.stringify({ ...s.config, ideal: s.ideal }, null, 2), '```', '', '</details>', '');
  }
  out.push('## Scheduler and memory', '');
  for (const mode of ['quick', 'full'] as const) {
    const scheduler = results.history.scheduler.filter((r) => r.mode === mode).at(-1);
    const memory = results.history.memory.filter((r) => r.mode === mode).at(-1);
    if (!scheduler && !memory) continue;
    out.push(`Latest ${mode} run:`, '');
    if (scheduler)
      out.push(`- ${schedulerLine(scheduler, previousOf(results.history.scheduler, scheduler))}`);
    if (memory) out.push(`- ${memoryLine(memory, previousOf(results.history.memory, memory))}`);
    out.push('');
  }
  out.push(METHOD);
  return `${out.join('\n').trimEnd()}\n`;
}

const METHOD = `## Method

- **ok / failed**: items each contender counted as they ended (for the article chain an item is a
  whole article: outline, sections, intro). A run that reaches its hard cap (twice the ideal makespan
  plus 4 s in quick mode, 2.5 times plus 10 s in the full one) is killed and keeps the counts it had.
- **makespan**: from the start of the contender's work to the end of its last item, timed in its
  own process (the cap for a stopped run).
- **requests, 429s**: chat requests the simulator received, and the rate-limit answers it sent.
- **dup paid**: successes for a request that had already succeeded once (the simulator's
  \`duplicateSuccesses\`): calls paid for twice.
- **ratio**: \`(ok / makespan) / ceiling\`. The ceiling comes from the configuration only: the pace is
  the tightest of \`rpm / 60\` and \`tpm / 60 / t\` calls per second (t: the mean tokens the simulator
  charges per call, prompt plus answer, read from a zero-latency copy of it); where faults are
  injected, \`calls\` is the number of admitted requests the simulator's seeded fault sequence needs
  before every item has one success (every contender meets the same sequence); the simulator caps
  no concurrency, so latency only bounds the round trips one item needs one after another. The
  ideal client spends the initial burst at once and then keeps pace with the refill:
  \`ideal makespan = max(rounds × L, L + max(0, calls − burst) / pace)\` with L the median latency,
  and the ceiling is \`items / ideal makespan\`. With the latency spread (lognormal, sigma 0.2) the
  slowest of the last calls ends after L, so even a perfect client lands a little under 1.
- **The bar** (issue 5): Volley with no limits configured completes every item, and its ratio is the
  highest, or within 3% of the highest, of the runs that completed every item. A run that gave items
  up ends early, so successes over its short makespan say nothing about how fast it would have
  finished them all (its ratio can even pass 1); its ratio is shown but marked not comparable.
- **Contenders**, each as its own documentation shows it, all pointed at the same simulator:
  the seed pattern (a semaphore of 10, three attempts, \`2 ** attempt\` s of sleep on a 429 while holding
  the semaphore, the \`openai\` SDK's default 2 retries underneath); \`p-limit\` with a concurrency of 50
  over the \`openai\` SDK; \`Bottleneck\` with \`minTime = 60000 / rpm\` and \`maxConcurrent\` twice
  \`rpm / 60 × latency\`; \`p-queue\` with \`interval: 1000\`, \`intervalCap: rpm / 60\` and \`strict: true\`;
  LangChain's \`ChatOpenAI.batch\` with \`maxConcurrency: 50\` and its own retries; Volley with no limits
  configured, and Volley given \`limits: { rpm, tpm }\`. Where the scenario sets a per-attempt timeout,
  every contender gets it through its own option (the SDK's \`timeout\`, LangChain's \`timeout\`,
  Volley's \`timeout\`).
`;
