/** `volley report` and `volley status`, run in-process on files a recorded run left behind. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli/io.js';
import { runCli } from '../cli/main.js';
import { Volley } from '../client/volley.js';
import { answer, apiError, fakeProvider } from '../test-support/fake-provider.js';
import { recordRun } from './recorder.js';

let dir: string;
let record: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-report-cli-'));
  record = join(dir, 'out.jsonl.run.jsonl');
  const volley = new Volley({
    provider: fakeProvider(async (request) => {
      if (request.messages[0]!.content === 'bad') throw apiError('bad_request', 400);
      return answer('ok');
    }),
  });
  const recorder = await recordRun(volley, {
    path: record,
    meta: { command: 'volley run in.jsonl --out out.jsonl', total: 5 },
  });
  await volley.settle(['a', 'b', 'bad', 'c', 'd'].map((prompt) => ({ prompt })));
  await recorder.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => (chunks.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.stderr += c.toString()));
  const io: CliIO = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: dir,
    signal: new AbortController().signal,
  };
  const code = await runCli(argv, io);
  return { code, ...chunks };
}

describe('volley report', () => {
  it('writes the page next to the record by default, or where --html says', async () => {
    const byDefault = await cli('report', 'out.jsonl.run.jsonl');
    expect(byDefault).toMatchObject({ code: 0, stderr: '' });
    expect(byDefault.stdout).toMatch(/^Wrote out\.jsonl\.run\.html \(5 calls, \d+ KB\)\n$/);
    const chosen = await cli('report', record, '--html', 'page.html', '--max-rows', '3');
    expect(chosen.stdout).toMatch(/^Wrote page\.html \(5 calls, timeline by state with 5 rows, \d+ KB\)\n$/);
    const page = await readFile(join(dir, 'page.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('volley run in.jsonl --out out.jsonl');
    expect(page).toContain('5 calls are drawn above by state');
  });

  it('reads a batch journal through the run record next to it, and says what it needs otherwise', async () => {
    const header = `${JSON.stringify({ journal: 'volley-batch', version: 1, output: 'out.jsonl', input: 'in.jsonl', created_at: new Date().toISOString() })}\n`;
    await writeFile(join(dir, 'out.jsonl.journal.jsonl'), header);
    expect(await cli('report', 'out.jsonl.journal.jsonl', '--html', 'j.html')).toMatchObject({ code: 0 });
    await writeFile(join(dir, 'lonely.journal.jsonl'), header);
    const lonely = await cli('report', 'lonely.journal.jsonl');
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('holds the answers but not when each call waited');
    await writeFile(join(dir, 'other.txt'), 'hello\n');
    expect((await cli('report', 'other.txt')).stderr).toContain('is neither a Volley run record');
    expect((await cli('report')).code).toBe(2);
    await rm(join(dir, 'out.jsonl.journal.jsonl')); // the status of the record alone, below
  });
});

describe('volley status', () => {
  it('prints the numbers of a finished run, as text or JSON', async () => {
    const text = await cli('status', 'out.jsonl.run.jsonl');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('state     finished');
    expect(text.stdout).toContain('done      5/5 (100.0%)');
    expect(text.stdout).toContain('calls     4 ok · 1 failed (bad_request 1)');
    const json = JSON.parse((await cli('status', record, '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ state: 'finished', done: 5, total: 5, ok: 4, failed: 1, rateLimited: 0 });
  });

  it('says the same of a run whichever of its files it is given, and what the end summary said', async () => {
    await writeFile(
      join(dir, 'in.jsonl'),
      `${['a', 'b', 'c'].map((p) => JSON.stringify({ prompt: p })).join('\n')}\n`,
    );
    const run = [
      'run',
      'in.jsonl',
      '--out',
      'res.jsonl',
      '--sim',
      '--sim-latency',
      '5ms',
      '--quiet',
      '--json',
    ];
    const first = await cli(...run);
    expect(first.code).toBe(0);
    await writeFile(
      join(dir, 'in.jsonl'),
      `${['a', 'b', 'c', 'd'].map((p) => JSON.stringify({ prompt: p })).join('\n')}\n`,
    );
    const second = JSON.parse((await cli(...run)).stdout) as { done: number; counts: { ok: number } };
    expect(second).toMatchObject({ done: 4, counts: { ok: 1 } });
    const statusOf = async (file: string) =>
      JSON.parse((await cli('status', file, '--json')).stdout) as Record<string, unknown>;
    const figures = [
      'state',
      'done',
      'total',
      'ok',
      'failed',
      'attempts',
      'invocations',
      'promptTokens',
      'completionTokens',
    ];
    const pick = (s: Record<string, unknown>) => Object.fromEntries(figures.map((k) => [k, s[k]]));
    const fromOutput = await statusOf('res.jsonl');
    expect(pick(fromOutput)).toMatchObject({
      state: 'finished',
      done: 4,
      total: 4,
      ok: 4,
      failed: 0,
      attempts: 4,
      invocations: 2,
    });
    expect(pick(await statusOf('res.journal.jsonl'))).toEqual(pick(fromOutput));
    expect(pick(await statusOf('res.run.jsonl'))).toEqual(pick(fromOutput));
  });

  it("counts a flow's inputs, not its calls, as the end summary does", async () => {
    const root = join(import.meta.dirname, '../..');
    await writeFile(join(dir, 'topics.jsonl'), '"tides"\n"kelp"\n');
    const flow = await cli(
      'flow',
      join(root, 'examples/article-flow.ts'),
      '--export',
      'article',
      '-i',
      'topics.jsonl',
      '-o',
      'articles.jsonl',
      '--sim',
      '--sim-latency',
      '5ms',
      '--quiet',
      '--json',
    );
    expect(flow.code).toBe(0);
    const summary = JSON.parse(flow.stdout) as { done: number };
    const status = JSON.parse((await cli('status', 'articles.jsonl', '--json')).stdout) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ done: summary.done, total: 2, ok: 2, failed: 0, invocations: 1 });
    expect(status['attempts']).toBeGreaterThanOrEqual(10); // five calls per article
  });

  it('says what it needs of a journal an older Volley wrote', async () => {
    await writeFile(
      join(dir, 'old.journal.jsonl'),
      `${JSON.stringify({ journal: 'volley-batch', version: 1, output: 'old.jsonl', input: null, created_at: new Date().toISOString() })}\n`,
    );
    const old = await cli('status', 'old.journal.jsonl');
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('written by an older Volley');
  });
});
