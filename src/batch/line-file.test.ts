import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalError } from '../journal/errors.js';
import { faults, faultyFiles } from '../journal/test-support/faulty-file.js';
import { LineFile } from './line-file.js';

async function tempPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'volley-line-file-')), 'out.jsonl');
}

describe('LineFile', () => {
  it('writes every line whole through short writes', async () => {
    const f = faults({ maxWrite: 5 });
    const path = await tempPath();
    const file = await LineFile.open(path, { truncate: true, openFile: faultyFiles(f) });
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, text: 'é'.repeat(i) }));
    for (const line of lines) file.write(line);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect(f.writes.length).toBeGreaterThan(100);
  });

  it('keeps every line whole and in order across chunks, for strings, bytes and lines longer than a chunk', async () => {
    const f = faults({});
    const path = await tempPath();
    const file = await LineFile.open(path, { truncate: true, openFile: faultyFiles(f) });
    const reused = Buffer.alloc(200 * 1024);
    const lines: string[] = [];
    // Multi-byte text of every length up to past a 64 KiB chunk, so that lines end at every point
    // of a chunk; every third one given as bytes from one reused buffer, changed after each write.
    for (let i = 0; lines.length < 400; i += 397) {
      const line = JSON.stringify({ i, text: 'é€'.repeat(i % 40_000) });
      lines.push(line);
      if (lines.length % 3 === 0) {
        const n = reused.write(line);
        file.write(reused.subarray(0, n));
        reused.fill(0x78, 0, n);
      } else file.write(line);
    }
    expect(file.backlog).toBeGreaterThan(0);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect(f.writes.length).toBeGreaterThan(100);
  });

  it('surfaces a full disk at once, on the next write, and from flush and close', async () => {
    const f = faults({ space: 10 });
    const path = await tempPath();
    const heard: JournalError[] = [];
    const file = await LineFile.open(path, {
      truncate: true,
      what: 'the errors file',
      openFile: faultyFiles(f),
      onError: (error) => heard.push(error),
    });
    file.write('{"a":"more than ten bytes"}');
    const error = await file.flush().catch((e: unknown) => e as JournalError);
    expect(error).toMatchObject({ code: 'output_write_failed', systemCode: 'ENOSPC' });
    expect((error as Error).message).toBe(
      `Writing the errors file ${path} failed: the disk is full (ENOSPC). Every record saved before ` +
        'this is safe. Free some space and rerun the same command to resume.',
    );
    expect(heard).toEqual([error]);
    expect(file.error).toBe(error);
    expect(() => file.write('{}')).toThrow(error as Error);
    await expect(file.close()).rejects.toBe(error);
  });
});
