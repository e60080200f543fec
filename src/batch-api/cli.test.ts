/**
 * `volley run --mode batch-api` over real HTTP against a listening simulator: what cannot vary
 * with the machine's speed (exit codes, records, their order, what the server counted).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { testIO } from '../cli/test-support/test-io.js';
import type { OutputRecord } from '../records/types.js';
import { createSimulator } from '../simulator/handler.js';
import { listen, type SimulatorServer } from '../simulator/listen.js';
import type { SimulatorOptions } from '../simulator/options.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { harness, prompts } from './test-support/harness.js';

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: SimulatorOptions) {
  const sim = createSimulator({ latencyMedianMs: 0, ...options });
  const server = await listen(sim);
  servers.push(server);
  return { sim, url: server.url };
}

async function records(path: string): Promise<OutputRecord[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutputRecord);
}

describe('volley run --mode batch-api over HTTP', () => {
  it('answers every line once, in input order, with the same records and exit code as realtime', async () => {
    const { sim, url } = await serve({
      batches: {
        timeScale: 100_000,
        faults: { lines: [{ rate: 0.05, kind: 'server_error', batches: [1] }] },
      },
    });
    const { dir } = await harness('openai');
    const input = join(dir, 'in.jsonl');
    await writeFile(input, `${prompts(100).join('\n')}\n`);
    const io = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    const args = ['run', 'in.jsonl', '--out', 'out.jsonl', '--mode', 'batch-api', '--base-url', url];
    const code = await runCli([...args, '--poll', '50ms', '-q'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.custom_id)).toEqual(prompts(100).map((l) => JSON.parse(l).custom_id));
    expect(out.every((r) => r.error === null)).toBe(true);
    expect(io.out()).toMatch(/volley run finished/);
    expect(sim.stats()).toMatchObject({
      duplicatePaid: 0,
      batches: { batchesCreated: 2, linesAnswered: 100 },
    });
  });

  it('--detach submits, says how to come back, exits 0; the same command collects later', async () => {
    const clock = new ManualClock(Date.now());
    const { sim, url } = await serve({ clock, epochMs: clock.now() });
    const { dir } = await harness('openai');
    await writeFile(join(dir, 'in.jsonl'), `${prompts(20).join('\n')}\n`);
    const args = [
      'run',
      'in.jsonl',
      '--out',
      'out.jsonl',
      '--mode',
      'batch-api',
      '--base-url',
      url,
      '--detach',
    ];
    const first = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli([...args, '-q'], first)).toBe(0);
    expect(first.out()).toMatch(/Collect the answers with the same command: volley run in\.jsonl .*--detach/);
    expect(sim.stats().batches).toMatchObject({ filesUploaded: 1, batchesCreated: 1, linesAnswered: 0 });
    // volley status reads the batches from the lifecycle journal while no run is looking.
    const away = testIO({ cwd: dir });
    expect(await runCli(['status', 'out.jsonl'], away)).toBe(0);
    expect(away.out()).toMatch(
      /\nbatches +1 \(1 submitted\)\n {2}batch_\w+ submitted: 0\/20 done, 0 failed · gpt-4o-mini · planned/,
    );
    await clock.advance(25 * 3_600_000); // the batch ends while no run is looking
    const second = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli([...args, '-q'], second)).toBe(0);
    expect((await records(join(dir, 'out.jsonl'))).length).toBe(20);
    expect(second.out()).toMatch(/volley run finished/);
    const after = testIO({ cwd: dir });
    expect(await runCli(['status', 'out.jsonl', '--json'], after)).toBe(0);
    expect(JSON.parse(after.out()).batches.batches).toMatchObject([
      { state: 'completed, merged', requests: 20, done: 20, failed: 0 },
    ]);
    expect(sim.stats().batches).toMatchObject({ filesUploaded: 1, batchesCreated: 1, linesAnswered: 20 });
  });

  it('--mode auto --finish-by: batches first, realtime for the rest, every line paid once', async () => {
    // A batch line takes 0.6 s here: 20 lines would take 12 s, the run has 3.
    const { sim, url } = await serve({ batches: { timeScale: 100, msPerLine: 60_000 } });
    const { dir } = await harness('openai');
    await writeFile(join(dir, 'in.jsonl'), `${prompts(20).join('\n')}\n`);
    const io = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    const args = ['run', 'in.jsonl', '--out', 'out.jsonl', '--mode', 'auto', '--base-url', url];
    const flags = ['--finish-by', '3s', '--poll', '100ms', '--cancel-allowance', '100ms'];
    expect(await runCli([...args, ...flags, '-q'], io)).toBe(0);
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.custom_id)).toEqual(prompts(20).map((l) => JSON.parse(l).custom_id));
    expect(out.every((r) => r.error === null)).toBe(true);
    const stats = sim.stats();
    // Which path answered how many depends on the machine's speed; that each was paid once does not.
    expect(stats.duplicatePaid).toBe(0);
    expect(stats.batches.linesAnswered + stats.successes).toBe(20);
    expect(io.out()).toMatch(/\n {2}paths +batch \d+ lines <?\$[\d.]+, realtime \d+ lines .*realtime alone/);
  });

  it('--dry-run --mode batch-api prices the lines at the batch price, and says what realtime would cost', async () => {
    const { dir } = await harness('openai');
    await writeFile(join(dir, 'in.jsonl'), `${prompts(40).join('\n')}\n`);
    const args = ['run', 'in.jsonl', '--dry-run', '--mode', 'batch-api', '--model', 'gpt-4o-mini'];
    const json = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli([...args, '--json'], json)).toBe(0);
    const report = JSON.parse(json.out());
    expect(report).toMatchObject({ items: 40, tier: 'batch' });
    expect(report.costUsd).toBeGreaterThan(0);
    expect(report.costUsd * 2).toBeCloseTo(report.realtimeCostUsd, 12);
    const text = testIO({ cwd: dir, env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli(args, text)).toBe(0);
    expect(text.out()).toMatch(/cost +~\$[\d.]+ at the Batch API price \(~\$[\d.]+ realtime\)/);
  });

  it.each([
    [['--mode', 'auto'], /--mode auto needs --finish-by/],
    [['--mode', 'auto', '--deadline', '8h'], /--finish-by.*--deadline is each call's own time budget/],
    [['--finish-by', '8h'], /--finish-by goes with --mode auto/],
    [['--mode', 'auto', '--finish-by', '8h', '--detach'], /--detach goes with --mode batch-api/],
    [
      ['--mode', 'auto', '--finish-by', '2026-13-45T99:00Z'],
      /--finish-by takes a duration such as 8h or a time/,
    ],
  ])('refuses %j', async (flags, message) => {
    const io = testIO({ env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli(['run', '-', '--out', '-', ...flags], io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('refuses batch-only flags without --mode batch-api', async () => {
    const io = testIO({ env: { OPENAI_API_KEY: 'test' } });
    expect(await runCli(['run', '-', '--out', '-', '--detach'], io)).toBe(2);
    expect(io.err()).toMatch(/--detach goes with --mode batch-api/);
  });
});
