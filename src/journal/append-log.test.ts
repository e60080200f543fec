import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendLog, readLog } from './append-log.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('AppendLog', () => {
  it('appends records that read back in order, grouping concurrent appends', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'volley-log-')), 'j.jsonl');
    const log = await AppendLog.open(path);
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ i })));
    await log.append({ i: 100 });
    await log.close();
    const records = await collect(readLog<{ i: number }>(path));
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('skips a torn last line, and cuts it off before appending again', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'volley-log-')), 'j.jsonl');
    await appendFile(path, '{"i":1}\n{"i":2}\n{"i":3, "cut sh');
    expect(await collect(readLog(path))).toEqual([{ i: 1 }, { i: 2 }]);
    const log = await AppendLog.open(path);
    await log.append({ i: 4 });
    await log.close();
    expect(await collect(readLog(path))).toEqual([{ i: 1 }, { i: 2 }, { i: 4 }]);
    expect(await readFile(path, 'utf8')).toBe('{"i":1}\n{"i":2}\n{"i":4}\n');
  });

  it('reports corruption in the middle of a log instead of hiding it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'volley-log-')), 'j.jsonl');
    await appendFile(path, '{"i":1}\nnot json\n{"i":3}\n');
    await expect(collect(readLog(path))).rejects.toThrow(SyntaxError);
  });
});
