import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceFile, temporaryFor, writeFileAtomic } from './atomic.js';
import { JournalError } from './errors.js';

async function target(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-atomic-'));
  const path = join(dir, 'out.jsonl');
  await writeFile(path, 'old\n');
  return { dir, path };
}

describe('atomic replace', () => {
  it('replaces the target with the new content and leaves no temporary file', async () => {
    const { dir, path } = await target();
    await writeFileAtomic(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });

  it('writes through the temporary file only, so the target is whole until the rename', async () => {
    const { path } = await target();
    await replaceFile(path, async (temporary) => {
      expect(temporary).toBe(temporaryFor(path));
      await writeFile(temporary, 'half');
      expect(await readFile(path, 'utf8')).toBe('old\n');
      await writeFile(temporary, 'new\n');
    });
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });

  it('leaves the target untouched and removes the temporary file when writing fails', async () => {
    const { dir, path } = await target();
    const failure = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const error = await replaceFile(
      path,
      async (temporary) => {
        await writeFile(temporary, 'partial');
        throw failure;
      },
      { what: 'the output' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'output_write_failed', systemCode: 'ENOSPC', cause: failure });
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });

  it('writes over a temporary file a kill left behind', async () => {
    const { path } = await target();
    await writeFile(temporaryFor(path), 'left by a kill, much longer than the new content');
    await writeFileAtomic(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });
});
