import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLines, readLines } from './read-lines.js';

async function collect(chunks: (string | Uint8Array)[]): Promise<string[]> {
  const lines: string[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const line of readLines(source())) lines.push(line);
  return lines;
}

describe('reading lines', () => {
  it('splits across chunks, strips \\r and keeps an unterminated last line', async () => {
    expect(await collect(['a\r\nb', 'c\n', '\nd'])).toEqual(['a', 'bc', '', 'd']);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('"é"\n"ü"\n', 'utf8');
    expect(await collect([bytes.subarray(0, 2), bytes.subarray(2, 6), bytes.subarray(6)])).toEqual([
      '"é"',
      '"ü"',
    ]);
  });

  it('pulls no more of the source than the consumer asked for', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `"${i}"\n`;
      }
    }
    const lines = readLines(source())[Symbol.asyncIterator]();
    await lines.next();
    await lines.next();
    expect(pulled).toBeLessThanOrEqual(3);
    await lines.return?.(undefined);
  });

  it('hands out a chunk of lines at a time in batches', async () => {
    const batches: string[][] = [];
    async function* source() {
      yield '"a"\n"b"\n"c';
      yield 'd"\n"e"';
    }
    for await (const batch of readLines(source()).batches()) batches.push(batch);
    expect(batches).toEqual([['"a"', '"b"'], ['"cd"'], ['"e"']]);
  });

  it('counts the non-blank lines of a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-lines-'));
    const path = join(dir, 'in.jsonl');
    await writeFile(path, '"a"\n\n  \n"b"\r\n"c"');
    expect(await countLines(path)).toBe(3);
  });
});
