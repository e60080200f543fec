import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteInInputOrder } from './reorder.js';

describe('rewriteInInputOrder', () => {
  it('replaces the output and errors file whole, in line order, leaving no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-reorder-'));
    const record = (line: number, failed: boolean) =>
      JSON.stringify({ line, custom_id: `c${line}`, error: failed ? { code: 'server_error' } : null });
    await writeFile(
      join(dir, 'j.jsonl'),
      `${['{"journal":"volley-batch"}', record(3, false), record(1, true), record(2, false)].join('\n')}\n`,
    );
    await writeFile(join(dir, 'out.jsonl'), 'the old output\n');
    await rewriteInInputOrder(join(dir, 'j.jsonl'), join(dir, 'out.jsonl'), join(dir, 'errors.jsonl'));
    expect(await readFile(join(dir, 'out.jsonl'), 'utf8')).toBe(
      `${[record(1, true), record(2, false), record(3, false)].join('\n')}\n`,
    );
    expect(await readFile(join(dir, 'errors.jsonl'), 'utf8')).toBe(`${record(1, true)}\n`);
    expect((await readdir(dir)).sort()).toEqual(['errors.jsonl', 'j.jsonl', 'out.jsonl']);
  });
});
