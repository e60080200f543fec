import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../records/types.js';
import { createSimulator, type Simulator } from '../../simulator/handler.js';
import { listen, type SimulatorServer } from '../../simulator/listen.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import type { CliIO } from '../io.js';
import { runCli } from '../main.js';

interface TestIO extends CliIO {
  out(): string;
  err(): string;
}

function testIO(
  cwd: string,
  env: Record<string, string>,
  signal = new AbortController().signal,
  stdin: string[] = [],
): TestIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  return { stdout, stderr, stdin: Readable.from(stdin), env, cwd, signal, out: () => out, err: () => err };
}

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: SimulatorOptions, wrap?: (sim: Simulator) => Pick<Simulator, 'handle'>) {
  const sim = createSimulator({ latencyMedianMs: 15, latencySpread: 0.3, ...options });
  const server = await listen(wrap ? wrap(sim) : sim);
  servers.push(server);
  return { sim, url: server.url };
}

/** A mixed input: strings, prompts, messages, Batch API lines, blanks and a few bad lines. */
function input(n: number): { text: string; expectedLines: number[] } {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    if (i % 50 === 0) lines.push('');
    else if (i % 97 === 0) lines.push('{"prompt": broken');
    else if (i % 4 === 0) lines.push(JSON.stringify(`Question number ${i}?`));
    else if (i % 4 === 1) lines.push(JSON.stringify({ custom_id: `q-${i}`, prompt: `Tell me about ${i}.` }));
    else if (i % 4 === 2)
      lines.push(JSON.stringify({ messages: [{ role: 'user', content: `Messages ${i}` }] }));
    else
      lines.push(
        JSON.stringify({
          custom_id: `batch-${i}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Batch ${i}` }], max_tokens: 40 },
        }),
      );
  }
  const expectedLines = lines.flatMap((l, i) => (l === '' ? [] : [i + 1]));
  return { text: `${lines.join('\n')}\n`, expectedLines };
}

async function records(path: string): Promise<OutputRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutputRecord);
}

async function setup(n: number) {
  const dir = await mkdtemp(join(tmpdir(), 'volley-run-'));
  const { text, expectedLines } = input(n);
  await writeFile(join(dir, 'in.jsonl'), text);
  return { dir, expectedLines };
}

describe('volley run', () => {
  // Over real HTTP only what cannot vary is asserted. Hangs and per-attempt timeouts are left to the
  // manual-clock tests (client/volley.http.test.ts): on a loaded machine a 1 s timeout also cuts
  // answers that were merely slow, so how many lines end as timeouts would depend on the machine.
  // With ten attempts, a line fails only on ten faults in a row (13% each): about once in two million runs.
  it('gives every line exactly one record against a faulty simulator over HTTP', async () => {
    const { dir, expectedLines } = await setup(400);
    const { sim, url } = await serve({
      rpm: 60_000,
      faults: { serverError: 0.05, unavailable: 0.03, reset: 0.03, malformed: 0.02 },
    });
    const io = testIO(dir, { OPENAI_API_KEY: 'test' });
    const args = [
      'run',
      'in.jsonl',
      '--out',
      'out.jsonl',
      '--base-url',
      url,
      '--concurrency',
      '16',
      '--max-attempts',
      '10',
      '-q',
    ];
    const code = await runCli(args, io);
    expect(io.err()).toBe('');
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.line)).toEqual(expectedLines); // input order, one each
    const bad = out.filter((r) => r.error !== null);
    expect(bad.map((r) => r.error!.code)).toEqual(bad.map(() => 'invalid_input'));
    expect(bad.map((r) => r.line)).toEqual([97, 194, 291, 388]);
    expect((await records(join(dir, 'out.errors.jsonl'))).map((r) => r.line)).toEqual(bad.map((r) => r.line));
    expect(sim.stats().faults.total).toBeGreaterThan(0);
    // Paid twice only where an attempt timed out (under the default 60 s, not expected) and was sent again.
    const timedOut = (await readFile(join(dir, 'out.run.jsonl'), 'utf8')).split('"c":"timeout"').length - 1;
    expect(sim.stats().duplicateSuccesses).toBeLessThanOrEqual(timedOut);
    expect(code).toBe(1); // the bad lines
    expect(io.out()).toMatch(/volley run finished/);
    expect(io.out()).toMatch(/392 of 392 done: 388 answered, 0 failed/);
  });

  it('resumes after an interrupt: the union is complete and only in-flight calls can repeat', async () => {
    const { dir, expectedLines } = await setup(300);
    const controller = new AbortController();
    let inFlightAtAbort = 0;
    let requestsAtAbort = 0;
    const { sim, url } = await serve({ rpm: 60_000 }, (sim) => ({
      handle(request) {
        if (sim.stats().successes >= 100 && !controller.signal.aborted) {
          inFlightAtAbort = sim.stats().inFlight;
          requestsAtAbort = sim.stats().requests;
          controller.abort();
        }
        return sim.handle(request);
      },
    }));
    const args = [
      'run',
      'in.jsonl',
      '-o',
      'out.jsonl',
      '--base-url',
      url,
      '--grace',
      '5ms',
      '--concurrency',
      '16',
    ];
    const first = testIO(dir, { OPENAI_API_KEY: 'test' }, controller.signal);
    expect(await runCli(args, first)).toBe(130);
    expect(first.err()).toContain(`Resume with: volley run in.jsonl -o out.jsonl --base-url ${url}`);
    // In flight at the abort: on the server then, or sent before it and arriving after it.
    const inFlight = inFlightAtAbort + sim.stats().requests - requestsAtAbort;
    const partial = await records(join(dir, 'out.jsonl'));
    expect(partial.length).toBeGreaterThanOrEqual(100);
    expect(partial.length).toBeLessThan(expectedLines.length);

    const second = testIO(dir, { OPENAI_API_KEY: 'test' });
    expect(await runCli(args, second)).toBe(1); // the bad lines
    const all = await records(join(dir, 'out.jsonl'));
    expect(all.map((r) => r.line)).toEqual(expectedLines); // complete, and in input order again
    expect(new Set(all.map((r) => r.custom_id)).size).toBe(all.length);
    expect(sim.stats().duplicateSuccesses).toBeLessThanOrEqual(inFlight);
    expect(second.out()).toMatch(/done: \d+ by earlier runs \(not repeated\), then \d+ answered/);
  });

  it('status covers both invocations, and the calls the stop cancelled are neither done nor failed', async () => {
    const { dir, expectedLines } = await setup(300);
    const controller = new AbortController();
    const { sim, url } = await serve({ rpm: 60_000 }, (sim) => ({
      handle(request) {
        if (sim.stats().successes >= 60) controller.abort();
        return sim.handle(request);
      },
    }));
    const args = ['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url, '--grace', '5ms', '-q'];
    const status = async () => {
      const io = testIO(dir, {});
      expect(await runCli(['status', 'out.jsonl', '--json'], io)).toBe(0);
      return JSON.parse(io.out()) as Record<string, number | string>;
    };
    expect(await runCli(args, testIO(dir, { OPENAI_API_KEY: 'test' }, controller.signal))).toBe(130);
    const partial = await records(join(dir, 'out.jsonl'));
    const answered = (list: OutputRecord[]) => list.filter((r) => r.error === null).length;
    expect(partial.length).toBeLessThan(expectedLines.length);
    // Failed: 0, as the server sends no faults; the bad lines are neither answered nor failed.
    expect(await status()).toMatchObject({
      state: 'stopped',
      invocations: 1,
      done: partial.length,
      ok: answered(partial),
      failed: 0,
    });

    expect(await runCli(args, testIO(dir, { OPENAI_API_KEY: 'test' }))).toBe(1); // the bad lines
    const all = await records(join(dir, 'out.jsonl'));
    const whole = await status();
    expect(whole).toMatchObject({ state: 'finished', invocations: 2, done: all.length, ok: answered(all) });
    expect(whole.failed).toBe(0);
    // Every request either invocation sent, those the stop cut short too.
    expect(whole.attempts).toBeGreaterThanOrEqual(sim.stats().successes);
    const report = testIO(dir, {});
    expect(await runCli(['report', 'out.jsonl'], report)).toBe(0);
    const page = await readFile(join(dir, 'out.html'), 'utf8');
    expect(page).toMatch(/interrupted by a stop/);
    expect(page).not.toMatch(/aborted/);
  });

  it('stops when the reader of --out - goes away (EPIPE), and says a rerun starts over', async () => {
    const { dir } = await setup(100);
    const { url } = await serve({});
    const io = testIO(dir, { OPENAI_API_KEY: 'k' });
    let writes = 0;
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(writes > 1 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const args = ['run', 'in.jsonl', '-o', '-', '--base-url', url, '-q', '--concurrency', '4'];
    expect(await runCli(args, { ...io, stdout: closed })).toBe(3);
    expect(io.err()).toMatch(/The stream the records go to was closed \(EPIPE\)/);
    expect(io.err()).toMatch(/No journal was kept .*a rerun sends every line again/);
    expect(io.err()).not.toMatch(/Resume with/);
  });

  it('stops at once with one message on a bad API key', async () => {
    const { dir } = await setup(300);
    const { sim, url } = await serve({ apiKey: 'right' });
    const io = testIO(dir, { OPENAI_API_KEY: 'wrong' });
    const code = await runCli(['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url, '-q'], io);
    expect(code).toBe(3);
    expect(io.err().match(/^volley: /gm)).toHaveLength(1);
    expect(io.err()).toMatch(/API key/i);
    // The probe's first calls, not the file (how many depends on how soon the 401 comes back).
    expect(sim.stats().requests).toBeLessThan(300);
    // Only the bad lines read before the answer came back: no call was recorded as done.
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.error?.code)).toEqual(out.map(() => 'invalid_input'));
  });

  it('reads stdin with -, fills a --template, and writes in completion order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-run-'));
    const { sim, url } = await serve({});
    const lines = ['{"text":"a fox"}\n{"text":"a dog"}\n', '{"title":"no text"}\n{"text":"an owl"}\n'];
    const io = testIO(dir, { OPENAI_API_KEY: 'k' }, undefined, lines);
    const args = [
      'run',
      '-',
      '-o',
      'out.jsonl',
      '--base-url',
      url,
      '--template',
      'Describe {{text}}.',
      '--order',
      'completion',
    ];
    expect(await runCli(args, io)).toBe(1);
    const out = await records(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.line).sort()).toEqual([1, 2, 3, 4]);
    expect(out.find((r) => r.line === 3)!.error).toMatchObject({ code: 'invalid_input', field: '{{text}}' });
    expect(sim.stats().successes).toBe(3);
    expect(io.err()).toMatch(/^\[.*\] 4 done, 0 in flight/m); // a plain progress line: stderr is not a TTY
  });

  it('stops on an unknown model', async () => {
    const { dir } = await setup(50);
    const { url } = await serve({});
    const io = testIO(dir, { OPENAI_API_KEY: 'k' });
    const args = ['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url, '--model', 'no-such-model', '-q'];
    expect(await runCli(args, io)).toBe(3);
    expect(io.err()).toMatch(/no-such-model/);
  });

  it('stops at --max-tokens with exit code 4, and a rerun with more budget finishes', async () => {
    const { dir, expectedLines } = await setup(60);
    const { url } = await serve({ rpm: 60_000 });
    const base = ['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url, '-q'];
    const first = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli([...base, '--max-tokens', '600'], first)).toBe(4);
    expect(first.out()).toMatch(/stopped at the budget/);
    expect(first.err()).toMatch(/--max-tokens caps the whole run: \d+ of 600 spent/);
    expect(first.err()).toMatch(/Resume with a higher limit: volley run .* --max-tokens \d+\n/);
    const partial = await records(join(dir, 'out.jsonl'));
    const used = partial.reduce((sum, r) => sum + (r.usage?.total_tokens ?? 0), 0);
    // Lines are admitted on what the answers so far say a line costs: close to the cap, not far under.
    expect(used).toBeGreaterThan(300);
    expect(used).toBeLessThan(900);
    expect(partial.length).toBeLessThan(expectedLines.length);
    const second = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli([...base, '--max-tokens', '1000000'], second)).toBe(0);
    expect((await records(join(dir, 'out.jsonl'))).map((r) => r.line).sort((a, b) => a - b)).toEqual(
      expectedLines,
    );
  });

  it('caps the whole run at --max-cost: a rerun with the same flag sends nothing more', async () => {
    const { dir } = await setup(60);
    const { sim, url } = await serve({ rpm: 60_000 });
    const args = ['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url, '-q', '--max-cost', '0.0002'];
    const first = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli(args, first)).toBe(4);
    // Dollars as a person reads them, and the limit to raise to: a total, not one more budget.
    expect(first.err()).toMatch(
      /--max-cost caps the whole run: \$0\.000\d+ of \$0\.0002 spent; about \$0\.\d+ more would finish the \d+ lines left\./,
    );
    expect(first.err()).toMatch(/Resume with a higher limit: volley run .* --max-cost 0\.\d+\n/);
    const paid = sim.stats().successes;
    const again = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli(args, again)).toBe(4);
    expect(sim.stats().successes).toBe(paid);
  });

  it('refuses to overwrite an output without a journal, and --dry-run sends nothing', async () => {
    const { dir } = await setup(40);
    await writeFile(join(dir, 'out.jsonl'), 'mine\n');
    const { sim, url } = await serve({});
    const io = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli(['run', 'in.jsonl', '-o', 'out.jsonl', '--base-url', url], io)).toBe(2);
    expect(io.err()).toMatch(/--force/);
    expect(await readFile(join(dir, 'out.jsonl'), 'utf8')).toBe('mine\n');

    const dry = testIO(dir, { OPENAI_API_KEY: 'k' });
    expect(await runCli(['run', 'in.jsonl', '--dry-run', '--base-url', url, '--rpm', '600'], dry)).toBe(0);
    expect(dry.out()).toMatch(/items {6}40 to send \(gpt-4o-mini 40\); 0 bad lines/);
    expect(dry.out()).toMatch(/duration {3}at least 4 s at 600 rpm \(bound by requests\)/);
    expect(sim.stats().requests).toBe(0);
  });
});
