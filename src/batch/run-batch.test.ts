import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import type { OutputRecord } from '../records/types.js';
import { RunError } from '../run/errors.js';
import { readJournalRecords } from '../run/journal/read.js';
import { readAhead } from '../run/window.js';
import { echoProvider } from '../test-support/echo-provider.js';
import { abortable, answer, apiError, fakeProvider } from '../test-support/fake-provider.js';
import { runBatch } from './run-batch.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'volley-batch-'));
}

async function readJsonl<T = OutputRecord>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

const prompts = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => JSON.stringify(`prompt ${i + from}`));

describe('runBatch', () => {
  it('writes one record per line in input order, bad lines and repeated ids included', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const lines = [
      '"plain string"',
      '{"custom_id":"p","prompt":"a prompt"}',
      '',
      '{"messages":[{"role":"user","content":"messages"}]}',
      '{"custom_id":"b1","method":"POST","url":"/v1/chat/completions","body":{"model":"other","messages":[{"role":"user","content":"batch"}]}}',
      '{"broken json',
      '{"custom_id":"p","prompt":"again"}',
      '{"nothing":"here"}',
    ];
    const volley = new Volley({ provider: echoProvider({ latencyMs: 1 }), model: 'echo-model' });
    const summary = await runBatch(lines, { volley, out });
    expect(summary.outcome).toBe('completed');
    expect(summary.counts).toEqual({ ok: 4, failed: 0, invalid: 2, duplicate: 1 });
    const records = await readJsonl(out);
    expect(records.map((r) => [r.line, r.custom_id, r.error?.code ?? 'ok'])).toEqual([
      [1, 'line-1', 'ok'],
      [2, 'p', 'ok'],
      [4, 'line-4', 'ok'],
      [5, 'b1', 'ok'],
      [6, 'line-6', 'invalid_input'],
      [7, 'p', 'duplicate_custom_id'],
      [8, 'line-8', 'invalid_input'],
    ]);
    const batch = records[3]!;
    expect(batch.model).toBe('other'); // body.model wins over the client's model
    expect(batch.response).toMatchObject({
      status_code: 200,
      body: { choices: [{ message: { content: 'batch' } }] },
    });
    expect(batch).toMatchObject({ attempts: 1, usage: { prompt_tokens: expect.any(Number) } });
    expect(records[4]!.error!.message).toMatch(/^line 6: malformed JSON/);
    const errors = await readJsonl(join(dir, 'out.errors.jsonl'));
    expect(errors.map((r) => r.line)).toEqual([6, 7, 8]);
    // At rest the journal is an index into the output: each record once, in the output only.
    const journal = await readJsonl<Record<string, unknown>>(join(dir, 'out.journal.jsonl'));
    expect(journal[0]).toMatchObject({ t: 'h', journal: 'volley-run', version: 2, output: 'out.jsonl' });
    expect(journal[1]).toMatchObject({ t: 's', n: 1, executor: 'calls' });
    expect(journal.slice(2, -1).map((e) => [e['t'], e['l']])).toEqual(
      [1, 2, 4, 5, 6, 7, 8].map((l) => ['i', l]),
    );
    expect(journal.at(-1)).toMatchObject({ t: 'z', output: { records: 7 } });
    expect(JSON.stringify(journal)).not.toContain('"response"');
    // What `volley status` reads of it.
    const { records: status } = readJournalRecords(join(dir, 'out.journal.jsonl'));
    expect(status.map((r) => r.error?.code ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'invalid_input',
      'duplicate_custom_id',
      'invalid_input',
    ]);
  });

  it('in completion order, writes answers as they come', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const provider = fakeProvider(async (request) => {
      const text = String(request.messages[0]!.content);
      await new Promise((r) => setTimeout(r, text === 'slow' ? 60 : 1));
      return answer(text);
    });
    const volley = new Volley({ provider, limits: { concurrency: 4 } });
    await runBatch(['"slow"', '"fast"'], { volley, out, order: 'completion' });
    expect((await readJsonl(out)).map((r) => r.custom_id)).toEqual(['line-2', 'line-1']);
  });

  it('resumes from what a kill left (a torn last line, a half-written output): only the missing items are sent again', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const journalPath = join(dir, 'out.journal.jsonl');
    const lines = prompts(20);
    let snapshot: Buffer | undefined;
    const killed = fakeProvider(async (request, _context, call) => {
      // What a kill -9 at this moment leaves on disk: the journal as far as it is written.
      if (call === 14) {
        // Calls go one at a time: the first 13 records are journaled, or will be in a moment.
        while (readFileSync(journalPath, 'utf8').split('{"t":"r"').length - 1 < 13)
          await new Promise((resolve) => setTimeout(resolve, 1));
        snapshot = readFileSync(journalPath);
      }
      return answer(String(request.messages[0]!.content));
    });
    await runBatch(lines, {
      volley: new Volley({ provider: killed, model: 'm', limits: { concurrency: 1 } }),
      out,
    });
    const journaled = snapshot!
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('{"t":"r"')).length;
    expect(journaled).toBe(13);
    await rm(out);
    await writeFile(journalPath, Buffer.concat([snapshot!, Buffer.from('{"t":"r","k":"line-1')]));
    await writeFile(`${out}.partial`, 'garbage the kill left\n');

    const provider = fakeProvider(async (request) => answer(String(request.messages[0]!.content)));
    const summary = await runBatch(lines, { volley: new Volley({ provider, model: 'm' }), out });
    expect(provider.sent).toHaveLength(20 - journaled);
    expect(summary).toMatchObject({
      outcome: 'completed',
      done: 20,
      earlier: { ok: journaled },
      counts: { ok: 20 - journaled },
      resume: { new: 20 - journaled, unchanged: journaled, changed: 0, dropped: 0 },
    });
    // In input order, although the first ones came from the journal.
    const ids = (await readJsonl(out)).map((r) => r.custom_id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `line-${i + 1}`));
    // Header, two invocations, one index line per record, the seal.
    expect(await readJsonl(journalPath)).toHaveLength(24);
  });

  it('does not overwrite an output that no journal accounts for, unless forced', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    await writeFile(out, '{"precious":true}\n');
    const volley = new Volley({ provider: echoProvider(), model: 'm' });
    await expect(runBatch(prompts(2), { volley, out })).rejects.toThrow(RunError);
    await expect(runBatch(prompts(2), { volley, out })).rejects.toThrow(/--force/);
    expect(await readFile(out, 'utf8')).toBe('{"precious":true}\n');
    await expect(runBatch(prompts(2), { volley, out, resume: true })).rejects.toThrow(/Nothing to resume/);
    const summary = await runBatch(prompts(2), { volley, out, force: true });
    expect(summary.counts.ok).toBe(2);
  });

  it('journals a failed call as done; it is reported, not sent again', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const provider = fakeProvider(async (request) => {
      if (request.messages[0]!.content === 'prompt 2') throw apiError('bad_request', 400);
      return answer('ok');
    });
    const volley = new Volley({ provider, model: 'm' });
    const first = await runBatch(prompts(3), { volley, out });
    expect(first.counts).toMatchObject({ ok: 2, failed: 1 });
    expect(first.failuresByCode).toEqual({ bad_request: 1 });
    const [failed] = await readJsonl(join(dir, 'out.errors.jsonl'));
    expect(failed).toMatchObject({
      custom_id: 'line-2',
      response: { status_code: 400, request_id: 'req_err' },
      error: { code: 'bad_request', status: 400 },
      attempts: 1,
    });
    const again = await runBatch(prompts(3), { volley, out });
    expect(again.counts).toEqual({ ok: 0, failed: 0, invalid: 0, duplicate: 0 });
    expect(provider.sent).toHaveLength(3);
    expect(await readJsonl(out)).toHaveLength(3);
  });

  it('stops at the first bad key: queued items are not sent and not journaled', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const provider = fakeProvider(async () => {
      await new Promise((r) => setTimeout(r, 2));
      throw apiError('authentication', 401);
    });
    let pulled = 0;
    function* source() {
      for (let i = 1; i <= 100_000; i++) {
        pulled++;
        yield `"p${i}"`;
      }
    }
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 2 } });
    const summary = await runBatch(source(), { volley, out, inFlight: 50 });
    expect(summary.outcome).toBe('fatal');
    expect(summary.reason).toMatch(/fake 401/);
    expect(provider.sent.length).toBeLessThanOrEqual(2);
    expect(pulled).toBeLessThan(200);
    expect(await readJsonl(out)).toHaveLength(0);
    const journal = await readJsonl<{ t: string }>(join(dir, 'out.journal.jsonl'));
    expect(journal.map((e) => e.t)).toEqual(['h', 's', 'z']); // header, invocation, seal: no record
  });

  // The window is the lane's concurrency and a margin (`readAhead`), within `inFlight`.
  it.each([
    [200, readAhead(10, 200)],
    [20, 20],
  ])('reads ahead only as far as the window (inFlight %d: %d)', async (inFlight, window) => {
    const dir = await tempDir();
    const controller = new AbortController();
    let pulled = 0;
    function* source() {
      for (let i = 1; i <= 10_000; i++) {
        pulled++;
        if (pulled === window) setTimeout(() => controller.abort(), 20);
        yield `"p${i}"`;
      }
    }
    const provider = fakeProvider((_request, context) => abortable(context.signal));
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 10 } });
    const summary = await runBatch(source(), {
      volley,
      out: join(dir, 'out.jsonl'),
      inFlight,
      signal: controller.signal,
      graceMs: 10,
    });
    expect(pulled).toBeLessThanOrEqual(window + 1);
    expect(summary).toMatchObject({ outcome: 'interrupted', unfinished: window, done: 0 });
    expect(provider.sent).toHaveLength(10); // the queued ones were dropped, never sent
  });
});

describe('runBatch stopping', () => {
  it('on an interrupt, lets calls on the wire finish within the grace period and drops the queued ones', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const controller = new AbortController();
    const seen = new Map<string, number>();
    const provider = fakeProvider(async (request, context) => {
      const text = String(request.messages[0]!.content);
      seen.set(text, (seen.get(text) ?? 0) + 1);
      if (seen.size === 12) controller.abort();
      await new Promise((r) => setTimeout(r, 20));
      context.signal.throwIfAborted();
      return answer(text);
    });
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 4 } });
    const lines = prompts(40);
    const first = await runBatch(lines, { volley, out, signal: controller.signal, graceMs: 5_000 });
    expect(first.outcome).toBe('interrupted');
    expect(first.counts.ok).toBe(12); // the 12th and the three beside it finished; nothing new started
    expect(first.unfinished).toBe(28);
    const second = await runBatch(lines, { volley, out });
    expect(second).toMatchObject({ outcome: 'completed', done: 40, counts: { ok: 28 } });
    expect([...seen.values()].every((n) => n === 1)).toBe(true); // nothing was paid for twice
    expect((await readJsonl(out)).map((r) => r.line)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("stops at the whole run's budget, spending close to it; a rerun with a larger one carries on", async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    // Every answer uses 15 tokens: after the first, each line is expected to use exactly that.
    const provider = fakeProvider(async (request) => answer(String(request.messages[0]!.content)));
    const volley = new Volley({ provider, model: 'm', limits: { concurrency: 4 } });
    const first = await runBatch(prompts(30), { volley, out, total: 30, budget: { maxTokens: 100 } });
    expect(first).toMatchObject({
      outcome: 'budget',
      counts: { ok: 6 },
      budget: { spentTokens: 90, reached: 'tokens' },
    });
    expect(first.reason).toMatch(/whole run's token budget/);
    expect(first.budget!.remaining).toEqual({ lines: 24, tokens: 360, usd: 0 });
    // The cap is for the whole run: the same cap again sends nothing more.
    const again = await runBatch(prompts(30), { volley, out, budget: { maxTokens: 100 } });
    expect(again).toMatchObject({ outcome: 'budget', counts: { ok: 0 } });
    const second = await runBatch(prompts(30), { volley, out, budget: { maxTokens: 10_000 } });
    expect(second).toMatchObject({ outcome: 'completed', done: 30, counts: { ok: 24 } });
    expect(provider.sent).toHaveLength(30);
  });

  it('runs without a journal when told to', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const volley = new Volley({ provider: echoProvider(), model: 'm' });
    const summary = await runBatch(prompts(5), { volley, out, journal: false, errors: false });
    expect(summary.files).toMatchObject({ out, errors: undefined, journal: undefined });
    expect(await readJsonl(out)).toHaveLength(5);
  });
});
