import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callsReader } from '../batch/reader.js';
import { runBatch } from '../batch/run-batch.js';
import { Volley } from '../client/volley.js';
import { sleep } from '../clock.js';
import { VolleyError } from '../errors.js';
import { drive } from '../flows/test-support/harness.js';
import { faults, faultyFiles } from '../journal/test-support/faulty-file.js';
import { Pricing } from '../pricing/index.js';
import type { OutputRecord } from '../records/types.js';
import { abortable, answer, fakeProvider } from '../test-support/fake-provider.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { runEngine } from './engine.js';
import { callsExecutor } from './executors/calls.js';
import { identityOf } from './identity.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'volley-stop-'));
}

async function readJsonl(path: string): Promise<OutputRecord[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutputRecord);
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify(`prompt ${i + 1}`));

/**
 * Every call takes `latency` ms on the manual clock; `hang` never answers until cancelled;
 * `onSend` sees each call as it is sent (how many so far).
 */
function timedClient(
  latency: number,
  hang: (text: string) => boolean = () => false,
  onSend = (_sent: number) => {},
) {
  const clock = new ManualClock();
  const provider = fakeProvider(async (request, context, call) => {
    const text = String(request.messages[0]!.content);
    onSend(call);
    if (hang(text)) return abortable(context.signal);
    await sleep(clock, latency, context.signal);
    return answer(text);
  });
  const volley = new Volley({ provider, model: 'm', clock, random: () => 0, limits: { concurrency: 10 } });
  return { clock, provider, volley };
}

describe('stopping a run', () => {
  it('Ctrl-C when every line is already in flight: they finish inside the grace period, and the run is complete', async () => {
    const dir = await tempDir();
    const signal = new AbortController();
    // Ctrl-C once the last line is on the wire.
    const { clock, volley, provider } = timedClient(300, undefined, (sent) => sent === 8 && signal.abort());
    const summary = await drive(
      clock,
      runBatch(prompts(8), {
        volley,
        out: join(dir, 'out.jsonl'),
        total: 8,
        signal: signal.signal,
        graceMs: 1000,
      }),
    );
    expect(summary).toMatchObject({
      outcome: 'completed',
      resumable: false,
      counts: { ok: 8 },
      unfinished: 0,
    });
    expect(provider.sent).toHaveLength(8);
  });

  it('a second Ctrl-C cancels what is in flight at once: the summary says what is left, and a rerun sends only that', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const soft = new AbortController();
    const hard = new AbortController();
    // Ctrl-C once all six are on the wire; again 400 ms later, when four have answered and two hang.
    const hangs = (text: string) => text === 'prompt 5' || text === 'prompt 6';
    const { clock, volley } = timedClient(300, hangs, (sent) => {
      if (sent !== 6) return;
      soft.abort();
      clock.setTimer(() => hard.abort(), 400);
    });
    const first = await drive(
      clock,
      runBatch(prompts(6), { volley, out, signal: soft.signal, hardSignal: hard.signal, graceMs: 60_000 }),
    );
    expect(first).toMatchObject({
      outcome: 'interrupted',
      resumable: true,
      counts: { ok: 4 },
      unfinished: 2,
    });
    expect((await readJsonl(out)).map((r) => r.line)).toEqual([1, 2, 3, 4]);
    const again = timedClient(10);
    const second = await drive(again.clock, runBatch(prompts(6), { volley: again.volley, out }));
    expect(second).toMatchObject({ outcome: 'completed', resume: { new: 2, unchanged: 4 } });
    expect(again.provider.sent.map((r) => r.messages[0]!.content)).toEqual(['prompt 5', 'prompt 6']);
  });

  it('stops on an unreachable server with its message: the line is not a record, a rerun sends it', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const provider = fakeProvider(async (request) => {
      if (request.messages[0]!.content === 'prompt 3')
        throw new VolleyError('unreachable', 'The server could not be reached for 5m0s.');
      return answer('ok');
    });
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 1 } });
    const summary = await runBatch(prompts(5), { volley, out });
    expect(summary).toMatchObject({ outcome: 'fatal', reason: 'The server could not be reached for 5m0s.' });
    expect((await readJsonl(out)).map((r) => r.line)).toEqual([1, 2]);
  });

  it("stops with the journal's own message when the disk is full, keeping what was saved", async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const disk = faults();
    let calls = 0;
    const provider = fakeProvider(async () => {
      // The disk fills up once two answers are journaled.
      if (++calls === 3) {
        while ((await readFile(join(dir, 'out.journal.jsonl'), 'utf8')).split('{"t":"r"').length < 3)
          await new Promise((resolve) => setTimeout(resolve, 1));
        disk.space = 0;
      }
      return answer('ok');
    });
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 1 } });
    const summary = await runEngine({
      source: prompts(5),
      reader: callsReader({ model: 'm', identity: identityOf(provider, { model: 'm' }) }),
      identity: identityOf(provider, { model: 'm' }),
      executor: callsExecutor(volley),
      clock: volley.options.clock,
      out,
      pricing: new Pricing(),
      inFlight: 1,
      journalFile: faultyFiles(disk),
    });
    expect(summary.outcome).toBe('fatal');
    expect(summary.reason).toMatch(/the disk is full \(ENOSPC\)/);
    disk.space = Number.POSITIVE_INFINITY;
    const again = await runBatch(prompts(5), {
      volley: new Volley({ provider: fakeProvider(async () => answer('ok')), model: 'm' }),
      out,
    });
    expect(again).toMatchObject({ outcome: 'completed', done: 5 });
    expect(again.resume).toMatchObject({ unchanged: 2, new: 3 });
  });

  it('refuses a second run on the same output while the first is writing it', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const { clock, volley } = timedClient(0, () => true);
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = runBatch(prompts(3), {
      volley,
      out,
      signal: controller.signal,
      graceMs: 1,
      onStart: () => started(),
    });
    await running;
    await expect(runBatch(prompts(3), { volley, out })).rejects.toMatchObject({
      code: 'locked',
      message: expect.stringMatching(
        new RegExp(`Another volley run is writing this output: pid ${process.pid}`),
      ),
    });
    controller.abort();
    expect(await drive(clock, first)).toMatchObject({ outcome: 'interrupted', unfinished: 3 });
  });
});
