import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLines, InvalidLine, readLines } from './read-lines.js';

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

describe('numbered lines and invalid UTF-8', () => {
  async function batchesOf(chunks: (string | Uint8Array)[]) {
    async function* source() {
      yield* chunks;
    }
    const out: { first: number; entries: (string | InvalidLine)[] }[] = [];
    for await (const batch of readLines(source()).lines())
      out.push({ first: batch.first, entries: [...batch.entries] });
    return out;
  }

  function flat(batches: { first: number; entries: (string | InvalidLine)[] }[]) {
    const lines: [number, string | InvalidLine][] = [];
    for (const { first, entries } of batches) {
      for (const [i, entry] of entries.entries()) lines.push([first + i, entry]);
    }
    return lines;
  }

  it('numbers every line, blank ones included, across chunk boundaries and CRLF', async () => {
    const lines = flat(await batchesOf(['"a"\r\n\r\n"b', '"\n', '\n"c"\r', '\n"d"']));
    expect(lines).toEqual([
      [1, '"a"'],
      [2, ''],
      [3, '"b"'],
      [4, ''],
      [5, '"c"'],
      [6, '"d"'],
    ]);
  });

  it('hands over a line with invalid UTF-8 with its number and byte offset, and goes on', async () => {
    const good = Buffer.from('"ok é"\n\n');
    const bad = Buffer.concat([Buffer.from('"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"\r\n')]);
    const after = Buffer.from('"after"\n');
    const input = Buffer.concat([good, bad, after]);
    // Cut inside the bad line, so it is joined from two chunks.
    const lines = flat(
      await batchesOf([input.subarray(0, good.length + 3), input.subarray(good.length + 3)]),
    );
    expect(lines.map(([n, entry]) => [n, typeof entry === 'string' ? entry : 'invalid'])).toEqual([
      [1, '"ok é"'],
      [2, ''],
      [3, 'invalid'],
      [4, '"after"'],
    ]);
    const invalid = lines[2]![1] as InvalidLine;
    expect(invalid).toBeInstanceOf(InvalidLine);
    expect(invalid.line).toBe(3);
    expect(invalid.lineOffset).toBe(good.length);
    expect(invalid.offset).toBe(good.length + 5);
    expect(invalid.message).toBe(
      `line 3: not valid UTF-8 (byte 0xff at byte offset ${good.length + 5} of the input). Save the file as UTF-8 and rerun.`,
    );
  });

  it.each([
    ['an overlong encoding', [0xc0, 0xaf], 0],
    ['a UTF-16 surrogate', [0x41, 0xed, 0xa0, 0x80], 1],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a truncated sequence', [0x41, 0x42, 0xe2, 0x82], 2],
    ['a lone continuation byte', [0x80], 0],
  ])('flags %s, at the first bad byte', async (_name, bytes, at) => {
    const [[, entry]] = flat(await batchesOf([Buffer.from(bytes), '\n'])) as [[number, InvalidLine]];
    expect(entry).toBeInstanceOf(InvalidLine);
    expect(entry.offset).toBe(at);
  });

  it('keeps valid four-byte characters and drops only a leading byte order mark', async () => {
    const lines = flat(await batchesOf([Buffer.from('\uFEFF"😀"\n"\uFEFFx"\n', 'utf8')]));
    expect(lines).toEqual([
      [1, '"😀"'],
      [2, '"\uFEFFx"'],
    ]);
  });

  it('gives plain strings from batches(), invalid bytes replaced', async () => {
    expect(await collect([Buffer.from([0x22, 0xff, 0x22, 0x0a]), '"b"'])).toEqual(['"\uFFFD"', '"b"']);
  });
});
