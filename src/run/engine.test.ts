import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../records/hash.js';
import type { RunRecord } from '../records/types.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { runEngine } from './engine.js';
import type { EndpointIdentity } from './identity.js';
import type { Executor, ItemReader, Outcome, WorkItem } from './types.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'volley-engine-'));
}

async function readJsonl<T>(path: string): Promise<T[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

interface UpperRecord extends RunRecord {
  readonly answer: string | null;
}

/** Lines of text; the key is the word before `:`, the payload the text after it. */
const reader: ItemReader<string> = {
  read(entry, line) {
    const text = String(entry);
    if (text.trim() === '') return undefined;
    const at = text.indexOf(':');
    if (at < 0)
      return {
        problem: { line, customId: undefined, code: 'invalid_input', message: `line ${line}: no key` },
        hash: contentHash(text),
      };
    return { key: text.slice(0, at), hash: contentHash(text), payload: text.slice(at + 1) };
  },
  reject: (problem) => record(problem.line, problem.customId ?? `line-${problem.line}`, null, problem),
};

function record(
  line: number,
  key: string,
  answer: string | null,
  problem?: { code: string; message: string },
) {
  const base: UpperRecord = {
    custom_id: key,
    line,
    answer,
    error: problem ? { code: problem.code, message: problem.message } : null,
    model: 'upper',
    attempts: problem ? 0 : 1,
    latency_ms: null,
    queued_ms: null,
    usage: problem ? null : { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    cost_usd: problem ? null : 0.001,
  };
  return base;
}

/**
 * A third executor, written the way the Batch API and queue executors will be: it takes items in
 * groups of `group` (a "batch"), notes each group in the journal before and after it is
 * answered, answers it all at once, and redelivers the first answer of every group (a queue's
 * duplicate). Nothing above the interface knows any of this.
 */
function groupExecutor(group: number, seen: string[]): Executor<string> & { notes: unknown[] } {
  const notes: unknown[] = [];
  return {
    name: 'groups',
    tier: 'batch',
    notes,
    async *run(items, context) {
      notes.push(...context.journal.entries);
      let pending: WorkItem<string>[] = [];
      const answer = async function* (): AsyncGenerator<Outcome<string>> {
        const id = `group-${notes.length}`;
        await context.journal.note({ created: id, keys: pending.map((i) => i.key) });
        context.status({ phase: 'answering', detail: id, counts: { items: pending.length } });
        for (const item of pending) {
          seen.push(item.key);
          yield { item, record: record(item.line, item.key, item.payload.toUpperCase()) };
        }
        yield { item: pending[0]!, record: record(pending[0]!.line, pending[0]!.key, 'DUPLICATE') };
        await context.journal.note({ done: id });
        pending = [];
      };
      for await (const item of items) {
        pending.push(item);
        if (pending.length === group) yield* answer();
      }
      if (pending.length > 0) yield* answer();
    },
    stop() {},
  };
}

const identity: EndpointIdentity = {
  provider: 'upper',
  baseURL: null,
  keyFingerprint: null,
  simulator: false,
  model: 'upper',
};

describe('run engine', () => {
  it('runs a third executor with nothing above the interface knowing it: journal, order, duplicates, resume', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const seen: string[] = [];
    const executor = groupExecutor(3, seen);
    const statuses: unknown[] = [];
    const lines = ['a:one', 'b:two', 'no key here', '', 'c:three', 'd:four', 'a:again'];
    const options = {
      reader,
      clock: new ManualClock(),
      out,
      pricing: { cost: () => 0.001 },
      identity,
      inFlight: 8,
      onStatus: (status: unknown) => statuses.push(status),
    };
    const first = await runEngine({ ...options, source: lines, executor });
    expect(first).toMatchObject({
      outcome: 'completed',
      executor: 'groups',
      counts: { ok: 4, invalid: 1, duplicate: 1 },
      resume: { new: 4, changed: 0, unchanged: 0, dropped: 0 },
    });
    const records = await readJsonl<UpperRecord>(out);
    // One record per line, in input order; the redelivered answers were dropped at commit.
    expect(records.map((r) => [r.line, r.custom_id, r.answer ?? r.error!.code])).toEqual([
      [1, 'a', 'ONE'],
      [2, 'b', 'TWO'],
      [3, 'line-3', 'invalid_input'],
      [5, 'c', 'THREE'],
      [6, 'd', 'FOUR'],
      [7, 'a', 'duplicate_custom_id'],
    ]);
    expect(statuses).toEqual([
      { phase: 'answering', detail: 'group-0', counts: { items: 3 } },
      { phase: 'answering', detail: 'group-0', counts: { items: 1 } },
    ]);

    // Rerun with one line edited, one gone, one new: the executor sees only what must be sent,
    // and gets back the entries it noted the first time.
    seen.length = 0;
    const again = groupExecutor(3, seen);
    const edited = ['a:one', 'b:TWO!', 'no key here', 'c:three', 'e:five'];
    const second = await runEngine({ ...options, source: edited, executor: again });
    expect(seen).toEqual(['b', 'e']);
    expect(again.notes).toEqual([
      { created: 'group-0', keys: ['a', 'b', 'c'] },
      { done: 'group-0' },
      { created: 'group-0', keys: ['d'] },
      { done: 'group-0' },
    ]);
    expect(second).toMatchObject({
      invocation: 2,
      resume: { new: 1, changed: 1, unchanged: 2, dropped: 2 },
      counts: { ok: 2, invalid: 0 },
      earlier: { ok: 2, invalid: 1, duplicate: 0 },
    });
    expect(
      (await readJsonl<UpperRecord>(out)).map((r) => [r.line, r.custom_id, r.answer ?? r.error!.code]),
    ).toEqual([
      [1, 'a', 'ONE'],
      [2, 'b', 'TWO!'],
      [3, 'line-3', 'invalid_input'],
      [4, 'c', 'THREE'],
      [5, 'e', 'FIVE'],
    ]);
  });

  it('refuses a resume against another endpoint, and with rerunChanged sends what differs under it', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out.jsonl');
    const sent: string[] = [];
    const base = { reader, clock: new ManualClock(), out, pricing: { cost: () => 0 }, inFlight: 4 };
    await runEngine({ ...base, source: ['a:x', 'b:y'], executor: groupExecutor(2, sent), identity });
    const other = { ...identity, keyFingerprint: 'sk-…abcd' };
    await expect(
      runEngine({ ...base, source: ['a:x', 'b:y'], executor: groupExecutor(2, sent), identity: other }),
    ).rejects.toThrow(/API key \(fingerprint\): none → sk-…abcd[\s\S]*--rerun-changed/);
    // Another key on the same server: the hashes (what is sent) are the same, so nothing goes again.
    const accepted = await runEngine({
      ...base,
      source: ['a:x', 'b:y'],
      executor: groupExecutor(2, sent),
      identity: other,
      rerunChanged: true,
    });
    expect(accepted.resume).toMatchObject({
      unchanged: 2,
      identityChanges: ['API key (fingerprint): none → sk-…abcd'],
    });
    expect(sent).toEqual(['a', 'b']);
  });

  it('writes the records to a stream and keeps no journal unless given one', async () => {
    const dir = await tempDir();
    const chunks: string[] = [];
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const summary = await runEngine({
      reader,
      clock: new ManualClock(),
      out: stream,
      pricing: { cost: () => 0 },
      inFlight: 4,
      source: ['a:x', 'b:y'],
      executor: groupExecutor(5, []),
    });
    expect(summary.files).toEqual({ out: undefined, errors: undefined, journal: undefined });
    expect(
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as UpperRecord).answer),
    ).toEqual(['X', 'Y']);
    // With a journal, a rerun to a stream gives every record again, the kept ones from the journal.
    const journal = join(dir, 'stream.journal.jsonl');
    const first = new PassThrough();
    first.resume();
    await runEngine({
      reader,
      clock: new ManualClock(),
      out: first,
      journal,
      pricing: { cost: () => 0 },
      inFlight: 4,
      source: ['a:x'],
      executor: groupExecutor(5, []),
    });
    const again: string[] = [];
    const second = new PassThrough();
    second.on('data', (chunk: Buffer) => again.push(chunk.toString()));
    const sent: string[] = [];
    await runEngine({
      reader,
      clock: new ManualClock(),
      out: second,
      journal,
      pricing: { cost: () => 0 },
      inFlight: 4,
      source: ['a:x', 'b:y'],
      executor: groupExecutor(5, sent),
    });
    expect(sent).toEqual(['b']);
    expect(
      again
        .join('')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as UpperRecord).answer),
    ).toEqual(['X', 'Y']);
    await writeFile(join(dir, 'unused'), '');
  });

  it('gives the rate over the run by the one rate rule: at 60 a minute it reads no more than 60', async () => {
    const clock = new ManualClock();
    // One answer a second, as a lane held to 60 rpm sends them, the first at once.
    const paced: Executor<string> = {
      name: 'paced',
      tier: 'realtime',
      async *run(items) {
        let first = true;
        for await (const item of items) {
          if (!first) await clock.advance(1000);
          first = false;
          yield { item, record: record(item.line, item.key, item.payload) };
        }
      },
      stop() {},
    };
    const summary = await runEngine({
      reader,
      clock,
      pricing: { cost: () => 0 },
      inFlight: 1,
      source: Array.from({ length: 120 }, (_, i) => `k${i}:x`),
      executor: paced,
    });
    expect(summary.done).toBe(120);
    expect(summary.requestsPerMinute).toBeLessThanOrEqual(60);
    expect(summary.requestsPerMinute).toBeGreaterThan(59);
  });

  it('stops, without paying for the rest, when the stream the records go to is closed (EPIPE)', async () => {
    const { Writable } = await import('node:stream');
    let lines = 0;
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        lines++;
        const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        callback(lines > 2 ? error : null);
      },
    });
    const sent: string[] = [];
    // Each answer a turn of the event loop after the last, as answers come over a network.
    const slow: Executor<string> = {
      name: 'slow',
      tier: 'realtime',
      async *run(items) {
        for await (const item of items) {
          await new Promise((resolve) => setImmediate(resolve));
          sent.push(item.key);
          yield { item, record: record(item.line, item.key, item.payload) };
        }
      },
      stop() {},
    };
    const summary = await runEngine({
      reader,
      clock: new ManualClock(),
      out: closed,
      pricing: { cost: () => 0 },
      inFlight: 2,
      source: Array.from({ length: 200 }, (_, i) => `k${i}:x`),
      executor: slow,
    });
    expect(summary.outcome).toBe('fatal');
    expect(summary.reason).toMatch(/closed .*EPIPE/);
    expect(sent.length).toBeLessThan(20);
  });
});
