/**
 * `--cache DIR` on `volley run` and `volley cache clear`, through `runCli` against the simulator
 * over real HTTP. Only counts are asserted (what was sent, what was cached), never times.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../records/types.js';
import { createSimulator } from '../../simulator/handler.js';
import { listen, type SimulatorServer } from '../../simulator/listen.js';
import { runCli } from '../main.js';
import { testIO as sharedTestIO } from '../test-support/test-io.js';

const testIO = (cwd: string) => sharedTestIO({ cwd, env: { OPENAI_API_KEY: 'sk-SENTINEL-cli-cache-key' } });

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const lines = (edited: ReadonlySet<number>) =>
  `${Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ custom_id: `q-${i}`, prompt: edited.has(i) ? `Item ${i}, edited.` : `Item ${i}.` }),
  ).join('\n')}\n`;

async function records(path: string): Promise<OutputRecord[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutputRecord);
}

describe('volley run --cache and volley cache clear (real HTTP)', () => {
  it('a cached rerun with 5 of 50 lines edited sends exactly 5 requests; clear empties the cache', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-cli-cache-'));
    const sim = createSimulator({ latencyMedianMs: 5, models: [] });
    const server = await listen(sim);
    servers.push(server);
    const run = async (input: string, out: string) => {
      const io = testIO(dir);
      const args = [
        'run',
        input,
        '-o',
        out,
        '--base-url',
        server.url,
        '--cache',
        'cache',
        '--cache-max-age',
        '7d',
      ];
      return { code: await runCli([...args, '-q'], io), io };
    };
    await writeFile(join(dir, 'first.jsonl'), lines(new Set()));
    await writeFile(join(dir, 'second.jsonl'), lines(new Set([0, 9, 21, 33, 49])));

    expect((await run('first.jsonl', 'first.out.jsonl')).code).toBe(0);
    expect(sim.stats().requests).toBe(50);
    sim.resetStats();
    const second = await run('second.jsonl', 'second.out.jsonl');
    expect(second.code).toBe(0);
    expect(sim.stats().requests).toBe(5);
    const out = await records(join(dir, 'second.out.jsonl'));
    const cached = out.filter((r) => r.cached === true);
    expect(cached).toHaveLength(45);
    expect(cached.every((r) => r.cost_usd === 0 && r.attempts === 0 && r.usage === null)).toBe(true);
    expect(out.filter((r) => r.cached === undefined).map((r) => r.custom_id)).toEqual([
      'q-0',
      'q-9',
      'q-21',
      'q-33',
      'q-49',
    ]);
    expect(second.io.out()).toMatch(/cache {6}45 answered from the response cache/);
    for (const name of await readdir(join(dir, 'cache'), { recursive: true }))
      if (name.endsWith('.json'))
        expect(await readFile(join(dir, 'cache', name), 'utf8')).not.toContain('SENTINEL');

    const clear = testIO(dir);
    expect(await runCli(['cache', 'clear', 'cache', '--older-than', '1d'], clear)).toBe(0);
    expect(clear.out()).toMatch(/Removed 0 cached answers from cache; 55 younger/);
    expect(await runCli(['cache', 'clear', 'cache'], clear)).toBe(0);
    expect(clear.out()).toMatch(/Removed 55 cached answers from cache\./);
    sim.resetStats();
    expect((await run('first.jsonl', 'third.out.jsonl')).code).toBe(0);
    expect(sim.stats().requests).toBe(50);
  });

  it('a directory that cannot be a cache is exit 2, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-cli-cache-'));
    await writeFile(join(dir, 'in.jsonl'), lines(new Set()));
    await writeFile(join(dir, 'a-file'), 'x');
    const io = testIO(dir);
    const args = ['run', 'in.jsonl', '-o', 'out.jsonl', '--sim', '-q'];
    expect(await runCli([...args, '--cache', 'a-file/sub'], io)).toBe(2);
    expect(io.err()).toMatch(/Cannot use a-file\/sub as the response cache: .*not a directory/);
    expect(await runCli([...args, '--cache-max-age', '7d'], io)).toBe(2);
    expect(io.err()).toMatch(/--cache-max-age needs --cache DIR/);
    expect(await runCli(['cache', 'clear', '.'], io)).toBe(2);
    expect(io.err()).toMatch(/Cannot use \. as the response cache: it is not a Volley cache/);
    expect(await runCli(['cache', 'empty', '.'], io)).toBe(2);
  });
});
