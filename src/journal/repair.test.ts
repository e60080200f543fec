import { appendFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendLog } from './append-log.js';
import { JournalError } from './errors.js';
import { type LogDamage, readLog } from './read-log.js';
import { repairLog } from './repair.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function logWith(text: string | Buffer): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-repair-'));
  const path = join(dir, 'j.jsonl');
  await appendFile(path, text);
  return { dir, path };
}

// What the old AppendLog left after a short write on a full disk: half a record, the next one
// glued onto it, and good records after.
const GLUED = '{"custom_id":"d-343","ok":1}\n{"custom_id":"d-344","respons{"custom_id":"d-345","ok":1}\n';

describe('reading a damaged log', () => {
  it('throws a JournalError naming the line and byte offset when no one asked to skip damage', async () => {
    const { path } = await logWith(`${GLUED}{"custom_id":"d-346","ok":1}\n`);
    const error = await collect(readLog(path)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'journal_damaged' });
    expect((error as Error).message).toMatch(/^The journal is damaged at line 2 \(byte 29\): /);
  });

  it('skips damaged lines, keeps the valid lines after them and says where each was', async () => {
    const bad = Buffer.concat([Buffer.from('{"i":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const { path } = await logWith(
      Buffer.concat([Buffer.from(`{"i":1}\n\nnot json\n{"i":2}\n`), bad, Buffer.from('{"i":3}\n{"i":4')]),
    );
    const damage: LogDamage[] = [];
    expect(await collect(readLog(path, { onDamage: (d) => damage.push(d) }))).toEqual([
      { i: 1 },
      { i: 2 },
      { i: 3 },
    ]);
    expect(damage).toEqual([
      { line: 3, offset: 9, length: 8, reason: expect.stringContaining('JSON') },
      { line: 5, offset: 26, length: bad.length - 1, reason: 'not valid UTF-8' },
    ]);
  });

  it('finds damage past the first read chunk at its true offset', async () => {
    const good = `${JSON.stringify({ pad: 'p'.repeat(100) })}\n`;
    const before = good.repeat(15_000); // about 1.6 MB: the damage is in the second chunk
    const { path } = await logWith(`${before}{"cut\n${good}`);
    const damage: LogDamage[] = [];
    const records = await collect(readLog(path, { onDamage: (d) => damage.push(d) }));
    expect(records).toHaveLength(15_001);
    expect(damage).toMatchObject([{ line: 15_001, offset: before.length, length: 5 }]);
  });
});

describe('repairLog', () => {
  it('moves the damaged lines aside byte for byte and keeps every intact record', async () => {
    const { dir, path } = await logWith(`${GLUED}{"custom_id":"d-346","ok":1}\n{"torn`);
    const result = await repairLog(path, { now: new Date('2025-01-02T03:04:05.678Z') });
    expect(result.damage).toMatchObject([{ line: 2, offset: 29 }]);
    expect(result.movedTo).toBe(`${path}.damaged-2025-01-02T03-04-05.678Z`);
    expect(await readFile(result.movedTo!, 'utf8')).toBe(
      '{"custom_id":"d-344","respons{"custom_id":"d-345","ok":1}\n',
    );
    expect(await readFile(path, 'utf8')).toBe(
      '{"custom_id":"d-343","ok":1}\n{"custom_id":"d-346","ok":1}\n{"torn',
    );
    // The log reads clean now, and appends go on after the torn tail is cut.
    const log = await AppendLog.open(path);
    await log.append({ custom_id: 'd-347', ok: 1 });
    await log.close();
    expect((await collect(readLog<{ custom_id: string }>(path))).map((r) => r.custom_id)).toEqual([
      'd-343',
      'd-346',
      'd-347',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['j.jsonl', 'j.jsonl.damaged-2025-01-02T03-04-05.678Z']);
  });

  it('leaves a whole log alone', async () => {
    const { dir, path } = await logWith('{"i":1}\n{"i":2}\n');
    expect(await repairLog(path)).toEqual({ damage: [], movedTo: undefined });
    expect(await readdir(dir)).toEqual(['j.jsonl']);
  });

  it('uses the damage a read already found instead of reading the log again', async () => {
    const { path } = await logWith('{"i":1}\nbad\n{"i":2}\n');
    const damage: LogDamage[] = [];
    await collect(readLog(path, { onDamage: (d) => damage.push(d) }));
    await repairLog(path, { damage });
    expect(await readFile(path, 'utf8')).toBe('{"i":1}\n{"i":2}\n');
  });
});
