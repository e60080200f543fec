import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockError, takeLock } from './lock.js';
import { collectStderr, exited, startChild, stdoutLines } from './test-support/child.js';

const children: ReturnType<typeof startChild>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await exited(child);
  }
});

async function target(): Promise<{ dir: string; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-lock-'));
  return { dir, out: join(dir, 'out.jsonl') };
}

/** A holder process that has taken the lock on `out`. */
async function holder(out: string) {
  const child = startChild('./lock-holder.ts', [out]);
  children.push(child);
  const stderr = collectStderr(child);
  const lines = stdoutLines(child);
  const first = await lines.next();
  if (first.done) throw new Error(`the holder did not take the lock: ${stderr()}`);
  return { child, pid: (JSON.parse(first.value) as { pid: number }).pid };
}

/** The pid of a process that has exited: nothing runs under it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function staleLock(out: string): Promise<void> {
  const dead = { pid: await deadPid(), hostname: hostname(), started_at: '', command: 'old', token: 'x' };
  await writeFile(`${out}.lock`, JSON.stringify(dead));
}

// Each of these starts real child processes through tsx, which takes seconds on a loaded machine:
// the waits are on the children's own events, bounded by this timeout alone.
const CHILDREN = { timeout: 180_000 };

describe('takeLock', () => {
  it('writes the holder into <out>.lock and removes it on release', async () => {
    const { dir, out } = await target();
    const lock = await takeLock(out, { command: 'volley run in.jsonl --out out.jsonl' });
    expect(lock.path).toBe(`${out}.lock`);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toEqual({
      pid: process.pid,
      hostname: hostname(),
      started_at: expect.any(String),
      command: 'volley run in.jsonl --out out.jsonl',
      token: expect.any(String),
    });
    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    // Free again.
    await (await takeLock(out)).release();
  });

  it('refuses a second taker while the holder lives, naming its pid and command', CHILDREN, async () => {
    const { out } = await target();
    const { pid } = await holder(out);
    const error = await takeLock(out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    expect(error).toMatchObject({ code: 'locked', holder: { pid, command: 'volley run holder-test' } });
    expect((error as Error).message).toContain(`pid ${pid}`);
    expect((error as Error).message).toContain('`volley run holder-test`');
  });

  it('is released when its holder exits normally', CHILDREN, async () => {
    const { dir, out } = await target();
    const { child } = await holder(out);
    child.stdin.end();
    expect(await exited(child)).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over the lock of a holder killed with -9', CHILDREN, async () => {
    const { dir, out } = await target();
    const { child, pid } = await holder(out);
    child.kill('SIGKILL');
    await exited(child);
    expect(JSON.parse(await readFile(`${out}.lock`, 'utf8'))).toMatchObject({ pid });
    const lock = await takeLock(out);
    expect(JSON.parse(await readFile(`${out}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('lets exactly one of many racing takers take over a dead holder lock', async () => {
    const { dir, out } = await target();
    await staleLock(out);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => takeLock(out)));
    const taken = results.filter((r) => r.status === 'fulfilled');
    expect(taken).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LockError);
    }
    const lock = (taken[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof takeLock>>>).value;
    expect(JSON.parse(await readFile(`${out}.lock`, 'utf8'))).toMatchObject({ token: lock.holder.token });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it(
    'lets one of two processes racing for a dead holder lock take it, and refuses the other',
    CHILDREN,
    async () => {
      const { out } = await target();
      await staleLock(out);
      const racers = [startChild('./lock-holder.ts', [out]), startChild('./lock-holder.ts', [out])];
      children.push(...racers);
      const outcomes = await Promise.all(
        racers.map(async (child) => {
          const stderr = collectStderr(child);
          const first = await stdoutLines(child).next();
          if (!first.done) return { locked: (JSON.parse(first.value) as { pid: number }).pid };
          await exited(child);
          return { refused: stderr() };
        }),
      );
      const winner = outcomes.find((o) => 'locked' in o) as { locked: number };
      const loser = outcomes.find((o) => 'refused' in o) as { refused: string };
      expect(winner).toBeDefined();
      expect(loser?.refused).toContain(`pid ${winner.locked}`);
      expect(JSON.parse(await readFile(`${out}.lock`, 'utf8'))).toMatchObject({ pid: winner.locked });
    },
  );

  it('refuses a lock held on another host, which it cannot check', async () => {
    const { out } = await target();
    const other = { pid: 1, hostname: 'elsewhere', started_at: 't', command: 'volley run x', token: 'y' };
    await writeFile(`${out}.lock`, JSON.stringify(other));
    await expect(takeLock(out)).rejects.toThrow(/pid 1 on elsewhere.*delete .*out\.jsonl\.lock/);
  });
});
