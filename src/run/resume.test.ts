import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../batch/read-lines.js';
import { runBatch } from '../batch/run-batch.js';
import { Volley } from '../client/volley.js';
import { Pricing } from '../pricing/index.js';
import type { OutputRecord } from '../records/types.js';
import { answer, apiError, fakeProvider } from '../test-support/fake-provider.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'volley-resume-'));
}

async function readJsonl(path: string): Promise<OutputRecord[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutputRecord);
}

/** Answers every prompt with itself in capitals; `fail` decides which prompts get a 400. */
function client(fail: (text: string) => boolean = () => false) {
  const provider = fakeProvider(async (request) => {
    const text = String(request.messages[0]!.content);
    if (fail(text)) throw apiError('bad_request', 400);
    return { ...answer(text.toUpperCase()), model: 'gpt-4o-mini' };
  });
  return { provider, volley: new Volley({ provider, model: 'm' }) };
}

const texts = (records: OutputRecord[]) => records.map((r) => r.error?.code ?? 'ok');
const ids = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ custom_id: `q${i + from}`, prompt: `question ${i + from}` }),
  );

describe('resume by content', () => {
  it('a kill between the journal and the output renames is finished by the next run; one before them leaves the old run', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const journal = join(dir, 'out.journal.jsonl');
    await runBatch(ids(6), { volley: client().volley, out });
    const old = { out: join(dir, 'old-out'), journal: join(dir, 'old-journal') };
    await copyFile(out, old.out);
    await copyFile(journal, old.journal);
    // The second invocation has an edited line; keep what it wrote.
    const edited = [...ids(6)];
    edited[2] = JSON.stringify({ custom_id: 'q3', prompt: 'question three, edited' });
    await runBatch(edited, { volley: client().volley, out });
    const next = { out: join(dir, 'next-out'), journal: join(dir, 'next-journal') };
    await copyFile(out, next.out);
    await copyFile(journal, next.journal);

    // Killed after step 2 (the journal renamed) and before step 3: the new journal, the old output,
    // the new output still as out.jsonl.partial.
    await copyFile(old.out, out);
    await copyFile(next.out, `${out}.partial`);
    const finished = client();
    const third = await runBatch(edited, { volley: finished.volley, out });
    expect(finished.provider.sent).toHaveLength(0);
    expect(third.resume).toMatchObject({ unchanged: 6, changed: 0 });
    expect(await readFile(out, 'utf8')).toBe(await readFile(next.out, 'utf8'));

    // Killed before step 2: the old journal and output, and stale partial files beside them.
    await copyFile(old.journal, journal);
    await copyFile(old.out, out);
    await copyFile(next.out, `${out}.partial`);
    await copyFile(next.journal, `${journal}.compact`);
    const again = client();
    const fourth = await runBatch(edited, { volley: again.volley, out });
    expect(again.provider.sent.map((r) => r.messages[0]!.content)).toEqual(['question three, edited']);
    expect(fourth.resume).toMatchObject({ unchanged: 5, changed: 1 });
    expect((await readJsonl(out)).map((r) => r.custom_id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
  });

  it('an output that is not the one the journal describes is never trusted: its lines are sent again', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    await runBatch(ids(4), { volley: client().volley, out });
    await writeFile(out, 'someone else wrote this\n');
    const again = client();
    const summary = await runBatch(ids(4), { volley: again.volley, out });
    expect(again.provider.sent).toHaveLength(4);
    expect(summary.warnings[0]).toMatch(/is not the one the journal describes/);
    expect(await readJsonl(out)).toHaveLength(4);
  });

  it('keeps a failed line as it is unless told to retry failures, and says how many there are', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    await runBatch(ids(4), { volley: client((t) => t === 'question 2').volley, out });
    const kept = client();
    const second = await runBatch(ids(4), { volley: kept.volley, out });
    expect(kept.provider.sent).toHaveLength(0);
    expect(second.resume).toMatchObject({ failedKept: 1, unchanged: 3 });
    expect(second.anyItemFailed).toBe(true);
    const retried = client();
    const third = await runBatch(ids(4), { volley: retried.volley, out, retryFailed: true });
    expect(retried.provider.sent.map((r) => r.messages[0]!.content)).toEqual(['question 2']);
    expect(third).toMatchObject({ anyItemFailed: false, resume: { retried: 1, unchanged: 3 } });
    expect(texts(await readJsonl(out))).not.toContain('bad_request');
  });

  it('works for stdin: the content counts, not the name', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const stdin = (lines: string[]) => readLines(Readable.from([`${lines.join('\n')}\n`]));
    await runBatch(stdin(ids(3)), { volley: client().volley, out, inputName: '-' });
    const again = client();
    const summary = await runBatch(stdin([...ids(2), ...ids(2, 10)]), {
      volley: again.volley,
      out,
      inputName: '-',
    });
    expect(summary.resume).toMatchObject({ new: 2, unchanged: 2, dropped: 1 });
    expect((await readJsonl(out)).map((r) => r.custom_id)).toEqual(['q1', 'q2', 'q10', 'q11']);
  });

  it('turns a line that is not UTF-8 into an error record naming the line, and sends nothing for it', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const { volley, provider } = client();
    const bytes = Buffer.concat([
      Buffer.from('"one"\n"tw'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('o"\n"three"\n'),
    ]);
    const summary = await runBatch(readLines(Readable.from([bytes])), { volley, out });
    expect(provider.sent).toHaveLength(2);
    expect(summary.counts).toMatchObject({ ok: 2, invalid: 1 });
    const bad = (await readJsonl(out))[1]!;
    expect(bad).toMatchObject({ line: 2, error: { code: 'invalid_input' } });
    expect(bad.error!.message).toMatch(/^line 2: not valid UTF-8/);
  });

  it("spends a dollar budget close to the limit, from the answers so far, and counts every invocation's spend", async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const { volley, provider } = client();
    // gpt-4o-mini: 10 prompt and 5 completion tokens cost $0.0000045 an answer.
    const pricing = new Pricing();
    const lines = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ model: 'gpt-4o-mini', prompt: `p${i}` }),
    );
    const first = await runBatch(lines, { volley, out, pricing, total: 100, budget: { maxCostUsd: 0.0001 } });
    expect(first.counts.ok).toBe(22);
    expect(first.budget!.spentUsd).toBeCloseTo(0.000099, 9);
    const second = await runBatch(lines, {
      volley,
      out,
      pricing,
      total: 100,
      budget: { maxCostUsd: 0.0002 },
    });
    expect(second.counts.ok).toBe(22);
    expect(second.budget!.spentUsd).toBeCloseTo(0.000198, 9);
    expect(provider.sent).toHaveLength(44);
    // The lines each invocation sent: the one the budget held back was not.
    expect(first.resume).toMatchObject({ new: 22, changed: 0, unchanged: 0 });
    expect(second.resume).toMatchObject({ new: 22, changed: 0, unchanged: 22 });
  });
});
