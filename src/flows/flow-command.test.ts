import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli/io.js';
import { runCli } from '../cli/main.js';
import { buildReport } from '../report/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-flow-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const root = resolve(import.meta.dirname, '../..');

function io(): CliIO & { err: () => string; out: () => string } {
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  let err = '';
  let out = '';
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: root,
    signal: new AbortController().signal,
    err: () => err,
    out: () => out,
  };
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('volley flow', () => {
  it('runs a .ts flow module over a JSONL file, and a rerun makes no call', async () => {
    const input = join(dir, 'topics.jsonl');
    const out = join(dir, 'articles.jsonl');
    await writeFile(input, '"tides"\n\n"kelp"\n"reefs"\n');
    const args = [
      'flow',
      'examples/article-flow.ts',
      '-i',
      input,
      '-o',
      out,
      '--sim',
      '--sim-latency',
      '20ms',
    ];
    const first = io();
    expect(await runCli(args, first)).toBe(0);
    const results = await lines(out);
    expect(results.map((r) => r['line'])).toEqual([1, 3, 4]); // input order, the blank line skipped
    const tides = results.find((r) => r['input'] === 'tides')!;
    expect(tides['output']).toMatchObject({
      topic: 'tides',
      sections: [expect.any(String), expect.any(String), expect.any(String)],
    });
    expect(tides).toMatchObject({
      custom_id: 'line-1',
      error: null,
      calls: 5,
      round_trips: 3,
      flow: 'article',
    });
    expect(first.out()).toMatch(/3 of 3 done: 3 answered, 0 failed/);
    // The report's rows name the input each call was for.
    const { model } = await buildReport(join(dir, 'articles.run.jsonl'));
    const labels = model.timeline.groups.flatMap((g) => g.rows.map((r) => r.label));
    expect(labels).toHaveLength(15);
    expect(labels).toEqual(
      expect.arrayContaining(['outline · line-1', 'sections[2]/write · line-3', 'intro · line-4']),
    );

    // Nothing changed: every input keeps its record, and nothing is run again.
    const again = io();
    expect(await runCli([...args, '--export', 'article', '-q', '--json'], again)).toBe(0);
    const summary = JSON.parse(again.out()) as { counts: { ok: number }; resume: Record<string, number> };
    expect(summary.counts.ok).toBe(0);
    expect(summary.resume).toMatchObject({ new: 0, changed: 0, unchanged: 3, dropped: 0 });
    expect(await lines(out)).toEqual(results);
  });

  it('reports failed inputs with exit code 1 and the error in the output line', async () => {
    const flows = resolve(root, 'src/flows/index.ts');
    const ts = join(dir, 'picky.ts');
    await writeFile(
      ts,
      `import { flow } from ${JSON.stringify(flows)};\n` +
        `export const picky = flow('picky', async (n: number, step) => {\n` +
        `  if (n === 2) throw new Error('two is not allowed');\n` +
        `  return step.llm('say', 'Say ' + n);\n});\n`,
    );
    const input = join(dir, 'numbers.jsonl');
    const out = join(dir, 'out.jsonl');
    await writeFile(input, '1\n2\n3\n');
    const cli = io();
    const code = await runCli(
      ['flow', ts, '--input', input, '--out', out, '--sim', '--sim-latency', '10ms'],
      cli,
    );
    expect(code).toBe(1);
    const failed = (await lines(out)).find((r) => r['input'] === 2)!;
    expect(failed['error']).toMatchObject({
      code: 'unexpected',
      message: 'flow "picky": two is not allowed',
    });
    expect((await lines(join(dir, 'out.errors.jsonl'))).map((r) => r['input'])).toEqual([2]);
  });

  it('says what is wrong with its arguments and modules', async () => {
    const usage = io();
    expect(await runCli(['flow', 'examples/article-flow.ts', '--input', 'x.jsonl'], usage)).toBe(2);
    expect(usage.err()).toContain('--input and --out are required');
    const none = join(dir, 'none.ts');
    await writeFile(none, 'export const x = 1;\n');
    const missing = io();
    const code = await runCli(['flow', none, '-i', none, '-o', join(dir, 'o.jsonl'), '--sim'], missing);
    expect(code).toBe(2);
    expect(missing.err()).toContain('exports no flow');
  });
});
