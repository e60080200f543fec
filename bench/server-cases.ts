/**
 * The four server cases of issue 9, through the built CLI over real HTTP (`npm run build` first):
 * `volley sim`, configured like the server of each case, in a process of its own, and
 * `volley run --base-url` against it. Prints wall time, attempts, 429s and queued times per case.
 *
 *   npx tsx bench/server-cases.ts [--only too-large,hol,long-reset,azure]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countMessageTokens } from '../src/tokens/count.js';

const main = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
const { values } = parseArgs({ options: { only: { type: 'string' } } });

interface Case {
  readonly group: string;
  readonly name: string;
  readonly sim: readonly string[];
  readonly run: readonly string[];
  readonly lines: readonly string[];
  /** The fastest possible wall time, by hand (s). */
  readonly ideal: string;
  /** The same from what the server counted, when that is what it depends on. */
  readonly idealOf?: (stats: Record<string, unknown>) => string;
}

/** A prompt of about `tokens` tokens, by the tokenizer the simulator counts with. */
function promptOf(tokens: number, seed: string): string {
  let text = seed;
  while (countMessageTokens([{ role: 'user', content: text }]) < tokens) text += ' lorem ipsum dolor';
  return text;
}

const small = (n: number, tokens: number) =>
  Array.from({ length: n }, (_, i) => promptOf(tokens, `Say something about item ${i + 1}.`));
const line = (prompt: string) => JSON.stringify({ prompt });

const big5k = promptOf(5100, 'A very long document.');
const big15k = promptOf(15_000, 'A very long document.');
const smalls = small(100, 60);
const fifty = small(50, 12);
const cases: Case[] = [
  {
    group: 'too-large',
    name: '2,000 TPM (whole-minute bucket): one 5,100-token line among 20 small',
    sim: ['--tpm', '2000', '--burst', '1m'],
    run: [],
    lines: [...small(10, 12), big5k, ...small(10, 12)].map(line),
    ideal: '0.4 s + start; the big line fails at once',
  },
  {
    group: 'too-large',
    name: 'the same with --deadline 30s',
    sim: ['--tpm', '2000', '--burst', '1m'],
    run: ['--deadline', '30s'],
    lines: [...small(10, 12), big5k, ...small(10, 12)].map(line),
    ideal: 'as above',
  },
  {
    group: 'too-large',
    name: '60,000 TPM, 1 s burst: the same 21 lines',
    sim: ['--tpm', '60000'],
    run: [],
    lines: [...small(10, 12), big5k, ...small(10, 12)].map(line),
    ideal: 'as above',
  },
  {
    group: 'hol',
    name: '--tpm 20000, whole-minute bucket: a 15,000-token line ahead of 100 small (~80 each)',
    sim: ['--tpm', '20000', '--burst', '1m'],
    run: ['--tpm', '20000'],
    lines: [big15k, ...smalls].map(line),
    ideal: 'the bucket (20,000) at once, the rest at 20,000 a minute, + 0.4 s',
    // Prompts and answers as the server counted them, the answers' lengths being drawn.
    idealOf: (stats) => {
      const charged = Number(stats['promptTokens']) + Number(stats['completionTokens']);
      return `${(0.4 + ((charged - 20_000) / 20_000) * 60).toFixed(1)} s (${charged} tokens)`;
    },
  },
  ...(['duration', 'seconds', 'timestamp'] as const).map((format) => ({
    group: 'long-reset',
    name: `120 RPM, 429 without retry-after, every reset 1m30.5s (${format}): 50 lines`,
    sim: ['--rpm', '120', '--no-retry-after', '--fixed-reset', '1m30.5s', '--reset-format', format],
    run: [],
    lines: fifty.map(line),
    ideal: '24.4 s (2 at once, then 2 a second)',
  })),
  {
    group: 'azure',
    name: 'Azure-style: remaining and reset, no limit headers, 120 RPM / 60,000 TPM: 50 lines',
    sim: ['--rpm', '120', '--tpm', '60000', '--no-limit-headers'],
    run: [],
    lines: fifty.map(line),
    ideal: '24.4 s',
  },
];

interface Sim {
  url: string;
  stop: () => Promise<Record<string, unknown>>;
}

async function startSim(flags: readonly string[]): Promise<Sim> {
  const child = spawn(process.execPath, [main, 'sim', '--port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`volley sim exited ${code}: ${out}`)));
  });
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    const last = out.trim().split('\n').at(-1)!;
    return JSON.parse(last) as Record<string, unknown>;
  };
  return { url, stop };
}

interface Row {
  readonly custom_id: string;
  readonly attempts: number;
  readonly queued_ms: number | null;
  readonly error: { readonly code: string } | null;
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : 0);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function measure(c: Case): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'volley-cases-'));
  writeFileSync(join(dir, 'in.jsonl'), `${c.lines.join('\n')}\n`);
  const sim = await startSim(c.sim);
  const args = [main, 'run', 'in.jsonl', '--out', 'out.jsonl', '--base-url', sim.url, '-q', ...c.run];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, OPENAI_API_KEY: 'x' },
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const wall = performance.now() - started;
  const stats = await sim.stop();
  const rows = readFileSync(join(dir, 'out.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
  rmSync(dir, { recursive: true, force: true });
  const ok = rows.filter((r) => r.error === null).length;
  const failed = rows.filter((r) => r.error !== null);
  const attempts = rows.reduce((sum, r) => sum + r.attempts, 0);
  // The big line, when there is one, is the one with the longest prompt: shown on its own.
  const bigIndex = c.lines.findIndex((l) => l.length > 10_000);
  const big = bigIndex >= 0 ? rows[bigIndex] : undefined;
  const others = rows.filter((_, i) => i !== bigIndex).map((r) => r.queued_ms ?? 0);
  const bigText = big
    ? `${big.attempts} att, ${big.error ? big.error.code : 'ok'}, queued ${s(big.queued_ms ?? 0)}`
    : '-';
  const failures = [...new Set(failed.map((r) => r.error!.code))].join(',') || '-';
  return [
    c.group,
    c.name,
    s(wall),
    c.idealOf ? c.idealOf(stats) : c.ideal,
    `${ok}/${rows.length} (exit ${code})`,
    failures,
    String(attempts),
    String(stats['requests']),
    String(stats['rateLimited']),
    String(stats['requestTooLarge']),
    bigText,
    `${s(median(others))} / ${s(Math.max(0, ...others))}`,
  ];
}

const header = [
  'case',
  'server',
  'wall',
  'ideal',
  'ok',
  'failures',
  'attempts',
  'requests',
  '429s',
  'too large',
  'big line',
  'others queued (median / max)',
];
const chosen = values.only?.split(',');
const rows: string[][] = [];
for (const c of cases.filter((x) => !chosen || chosen.includes(x.group))) {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const row = await measure(c);
  rows.push([...row, load]);
  console.error(`${row.join(' | ')} | load ${load}`);
}
header.push('load before');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
