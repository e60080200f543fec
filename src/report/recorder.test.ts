import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { sleep } from '../clock.js';
import { answer, apiError, fakeProvider } from '../test-support/fake-provider.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { readRun } from './read.js';
import type { RunRecord } from './record-format.js';
import { recordRun } from './recorder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-recorder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lines(path: string): Promise<RunRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .trim()
    .split('\n')
    .flatMap((line) => JSON.parse(line) as RunRecord | RunRecord[]);
}

describe('recordRun', () => {
  it('writes a header, the lanes, snapshots and one compact record per call event', async () => {
    const clock = new ManualClock();
    const provider = fakeProvider(async (request, context) => {
      const prompt = request.messages[0]!.content;
      if (prompt === 'bad') throw apiError('bad_request', 400);
      if (prompt === 'busy' && provider.sent.filter((r) => r.messages[0]!.content === 'busy').length === 1)
        throw apiError('rate_limited', 429, { 'retry-after-ms': '300' });
      await sleep(clock, 100, context.signal);
      return answer('ok');
    });
    const volley = new Volley({ provider, clock, random: () => 0.5, limits: { rpm: 600, concurrency: 2 } });
    const path = join(dir, 'out.run.jsonl');
    const recorder = await recordRun(volley, { path, meta: { command: 'volley run x', total: 3 } });
    const done = volley.settle([{ prompt: 'fine' }, { prompt: 'busy' }, { prompt: 'bad' }]);
    await clock.advance(1000);
    await done;
    recorder.snapshot();
    await recorder.close();
    await recorder.close(); // twice is fine

    const records = await lines(path);
    const [header, lane] = records;
    expect(header).toMatchObject({
      e: 'run',
      v: 1,
      at: 0,
      meta: { command: 'volley run x', total: 3 },
      limits: { rpm: 600, concurrency: 2, maxAttempts: 6, timeoutMs: 60_000 },
    });
    expect(Date.parse((header as { wall: string }).wall)).toBeGreaterThan(0);
    expect(lane).toEqual({ e: 'lane', l: 0, k: 'fake|fake-model', p: 'fake', m: 'fake-model', u: 'fake' });
    const calls = records.filter((r) => 'i' in r);
    const of = (id: string) => calls.filter((r) => 'i' in r && r.i === id).map(({ i, l, ...rest }) => rest);
    expect(of('call-0')).toEqual([
      { e: 'q', t: 0 },
      { e: 's', t: 0, a: 1 },
      { e: 'f', t: 100, a: 1, lat: 100, qd: 0, in: 10, out: 5, fr: 'stop' },
    ]);
    // The 429 pauses the lane for its retry-after, and the call backs off as long, then succeeds.
    expect(of('call-1')).toEqual([
      { e: 'q', t: 0 },
      { e: 's', t: 0, a: 1 },
      { e: 'r', t: 0, ms: 300, st: 429 },
      { e: 'y', t: 0, a: 1, ms: 300, c: 'rate_limited', st: 429 },
      { e: 's', t: 300, a: 2 },
      { e: 'f', t: 400, a: 2, lat: 100, qd: 300, in: 10, out: 5, fr: 'stop' },
    ]);
    // The third call waited for a slot (concurrency 2), then failed on a 400 without retrying.
    expect(of('call-2')).toEqual([
      { e: 'q', t: 0 },
      { e: 's', t: expect.any(Number), a: 1 },
      {
        e: 'x',
        t: expect.any(Number),
        a: 1,
        qd: expect.any(Number),
        lat: 0,
        c: 'bad_request',
        st: 400,
        msg: 'fake 400',
      },
    ]);
    const snapshots = records.filter((r) => r.e === 'ls');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(snapshots[0]).toMatchObject({ e: 'ls', t: 0, l: 0, rpm: 600, c: 2 });
    expect(snapshots.at(-1)).toMatchObject({ f: 0, q: 0 });
    expect(records.at(-1)).toMatchObject({ e: 'end', t: 1000 });

    const run = await readRun(path);
    expect(run.events).toHaveLength(calls.length);
    expect(run.segments).toMatchObject([{ ended: true, durationMs: 1000 }]);
    expect(run.lanes[0]).toMatchObject({ provider: expect.any(String) });
  });

  it('groups the records of one turn of the event loop into one line', async () => {
    const provider = fakeProvider(async () => answer('ok'));
    const volley = new Volley({ provider, limits: { concurrency: 50 } });
    const path = join(dir, 'many.run.jsonl');
    const recorder = await recordRun(volley, { path });
    await volley.settle(Array.from({ length: 200 }, (_, i) => ({ prompt: `p${i}` })));
    await recorder.close();
    const text = await readFile(path, 'utf8');
    const lineCount = text.trim().split('\n').length;
    const records = await lines(path);
    expect(records.filter((r) => r.e === 'f')).toHaveLength(200);
    expect(lineCount).toBeLessThan(records.length / 5);
    expect((await readRun(path)).events).toHaveLength(600);
  });

  it('starts the file afresh unless asked to append a segment to it (a resumed run keeps its history)', async () => {
    const path = join(dir, 'again.run.jsonl');
    const volley = new Volley({ provider: fakeProvider(async () => answer('ok')) });
    for (const append of [false, false, true]) {
      const recorder = await recordRun(volley, { path, append, meta: { command: `append ${append}` } });
      await volley.complete({ prompt: 'x' });
      await recorder.close();
    }
    const headers = (await lines(path)).filter((r) => r.e === 'run');
    expect(headers.map((h) => h.meta.command)).toEqual(['append false', 'append true']);
    const run = await readRun(path);
    expect(run.segments.map((seg) => seg.meta.command)).toEqual(['append false', 'append true']);
    expect(run.events.filter((e) => e.type === 'finished')).toHaveLength(2);
  });

  it('stops listening once closed', async () => {
    const path = join(dir, 'closed.run.jsonl');
    const volley = new Volley({ provider: fakeProvider(async () => answer('ok')) });
    const recorder = await recordRun(volley, { path });
    await recorder.close();
    await volley.complete({ prompt: 'after' });
    expect((await lines(path)).filter((r) => 'i' in r)).toEqual([]);
  });
});
