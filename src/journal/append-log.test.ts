import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendLog, readLog, readLogChunks } from './append-log.js';
import { JournalError } from './errors.js';
import { faults, faultyFiles } from './test-support/faulty-file.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function tempLog(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'volley-log-')), 'j.jsonl');
}

/** A promise and the function that settles it: to hold a sync open until the test lets it go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('AppendLog', () => {
  it('appends records that read back in order, grouping concurrent appends', async () => {
    const path = await tempLog();
    const log = await AppendLog.open(path);
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ i })));
    await log.append({ i: 100 });
    await log.close();
    const records = await collect(readLog<{ i: number }>(path));
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('writes a burst of appends as one write and one fdatasync', async () => {
    const f = faults();
    const log = await AppendLog.open(await tempLog(), { openFile: faultyFiles(f) });
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.append({ i })));
    expect(f.writes).toHaveLength(1);
    expect(f.syncs).toBe(1);
    expect(log.size).toBe(f.writes[0]);
    await log.close();
  });

  it('puts the appends made during a sync into the next single write', async () => {
    const f = faults();
    const held = gate();
    const started = gate();
    f.beforeSync = () => {
      f.beforeSync = undefined;
      started.open();
      return held.wait;
    };
    const path = await tempLog();
    const log = await AppendLog.open(path, { openFile: faultyFiles(f) });
    const first = log.append({ i: 0 });
    await started.wait;
    const during = Array.from({ length: 50 }, (_, i) => log.append({ i: i + 1 }));
    held.open();
    await Promise.all([first, ...during]);
    // The first write held only the first record; the fifty made during its sync went as one.
    expect(f.writes).toHaveLength(2);
    expect(f.writes[0]).toBe('{"i":0}\n'.length);
    expect(f.syncs).toBe(2);
    await log.close();
    expect((await collect(readLog<{ i: number }>(path))).map((r) => r.i)).toEqual(
      Array.from({ length: 51 }, (_, i) => i),
    );
  });

  it('keeps multi-byte text and records larger than its buffer byte for byte', async () => {
    const path = await tempLog();
    const log = await AppendLog.open(path);
    const records = [{ text: 'é😀\u2028' }, { text: 'ü'.repeat(100_000) }, { text: 'x' }];
    await Promise.all(records.map((r) => log.append(r)));
    await log.close();
    expect(await readFile(path, 'utf8')).toBe(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  });

  it('continues short writes until every byte is written', async () => {
    const f = faults({ maxWrite: 7 });
    const path = await tempLog();
    const log = await AppendLog.open(path, { openFile: faultyFiles(f) });
    const records = Array.from({ length: 20 }, (_, i) => ({ i, text: 'x'.repeat(i * 3) }));
    await Promise.all(records.map((r) => log.append(r)));
    await log.close();
    expect(await collect(readLog(path))).toEqual(records);
    expect(f.writes.length).toBeGreaterThan(10);
  });

  it('on a full disk rejects with a clear JournalError, cuts the partial write and takes no more', async () => {
    const f = faults();
    const path = await tempLog();
    const log = await AppendLog.open(path, { openFile: faultyFiles(f) });
    await log.append({ i: 1, text: 'saved' });
    const saved = await readFile(path, 'utf8');
    // Room for half of the next group: Node returns a short count, then ENOSPC.
    f.space = 30;
    const failing = [log.append({ i: 2, text: 'y'.repeat(40) }), log.append({ i: 3 })];
    const results = await Promise.allSettled(failing);
    const error = (results[0] as PromiseRejectedResult).reason as JournalError;
    expect(error).toBeInstanceOf(JournalError);
    expect(error.code).toBe('journal_write_failed');
    expect(error.systemCode).toBe('ENOSPC');
    expect(error.message).toBe(
      `Writing the journal ${path} failed: the disk is full (ENOSPC). Every record saved before this is ` +
        'safe. Free some space and rerun the same command to resume.',
    );
    expect(results[1]).toEqual({ status: 'rejected', reason: error });
    await expect(log.append({ i: 4 })).rejects.toBe(error);
    expect(log.failure).toBe(error);
    await log.close();
    expect(await readFile(path, 'utf8')).toBe(saved);

    // Space freed, the same command again: the new records follow the saved ones cleanly.
    const again = await AppendLog.open(path);
    await again.append({ i: 5 });
    await again.close();
    expect(await collect(readLog(path))).toEqual([{ i: 1, text: 'saved' }, { i: 5 }]);
  });

  it('rejects the group whose fdatasync failed, and the appends waiting behind it', async () => {
    const f = faults({ failSyncs: 1 });
    const held = gate();
    const started = gate();
    f.beforeSync = () => {
      f.beforeSync = undefined;
      started.open();
      return held.wait;
    };
    const path = await tempLog();
    const log = await AppendLog.open(path, { openFile: faultyFiles(f) });
    const first = log.append({ i: 1 });
    await started.wait;
    const waiting = log.append({ i: 2 });
    held.open();
    await expect(first).rejects.toMatchObject({ code: 'journal_write_failed', systemCode: 'EIO' });
    await expect(waiting).rejects.toMatchObject({ code: 'journal_write_failed' });
    await log.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('skips a torn last line, and cuts it off before appending again', async () => {
    const path = await tempLog();
    await appendFile(path, '{"i":1}\n{"i":2}\n{"i":3, "cut sh');
    expect(await collect(readLog(path))).toEqual([{ i: 1 }, { i: 2 }]);
    const log = await AppendLog.open(path);
    await log.append({ i: 4 });
    await log.close();
    expect(await collect(readLog(path))).toEqual([{ i: 1 }, { i: 2 }, { i: 4 }]);
    expect(await readFile(path, 'utf8')).toBe('{"i":1}\n{"i":2}\n{"i":4}\n');
  });

  it('never yields an unterminated last line, even one that parses: it was not acknowledged', async () => {
    const path = await tempLog();
    await appendFile(path, '{"i":1}\n{"i":2}');
    expect(await collect(readLog(path))).toEqual([{ i: 1 }]);
  });

  it('reads in chunks the same records, and hands over those before a damaged line before it throws', async () => {
    const path = await tempLog();
    await appendFile(path, '{"i":1}\n\n{"i":2}\nnot json\n{"i":3}\n');
    expect((await collect(readLogChunks(path, { onDamage: () => {} }))).flat()).toEqual([
      { i: 1 },
      { i: 2 },
      { i: 3 },
    ]);
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const record of readLog(path)) seen.push(record);
    })();
    await expect(reading).rejects.toMatchObject({ code: 'journal_damaged' });
    expect(seen).toEqual([{ i: 1 }, { i: 2 }]);
  });
});
