/**
 * What an acknowledged append promises, tested the hard way: a child appends and prints every
 * sequence number whose append resolved; it is killed with -9 at a random moment (after a random
 * number of acknowledgements, not a random time); then every acknowledged record must be in the
 * log, intact, and the log must open for appending again.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendLog } from './append-log.js';
import { type LogDamage, readLog } from './read-log.js';
import { recordFor } from './test-support/appender.js';
import { collectStderr, exited, startChild, stdoutLines } from './test-support/child.js';

async function killAfter(acks: number): Promise<{ path: string; acknowledged: number[] }> {
  const path = join(await mkdtemp(join(tmpdir(), 'volley-kill-')), 'journal.jsonl');
  const child = startChild('./appender.ts', [path]);
  const stderr = collectStderr(child);
  const acknowledged: number[] = [];
  try {
    for await (const line of stdoutLines(child)) {
      acknowledged.push(Number(line));
      // Everything still in the pipe after the kill is read too: it was acknowledged before it.
      if (acknowledged.length === acks) child.kill('SIGKILL');
    }
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited(child), stderr()).toBe('SIGKILL');
  return { path, acknowledged };
}

describe('AppendLog under kill -9', () => {
  // Real child processes through tsx, seconds each on a loaded machine; bounded by this alone.
  it('keeps every acknowledged record intact, whenever the kill comes', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 2; round++) {
      const acks = 20 + Math.floor(Math.random() * 2000);
      const { path, acknowledged } = await killAfter(acks);
      expect(acknowledged.length).toBeGreaterThanOrEqual(acks);
      const damage: LogDamage[] = [];
      const found = new Map<number, unknown>();
      for await (const record of readLog<{ seq: number }>(path, { onDamage: (d) => damage.push(d) })) {
        found.set(record.seq, record);
      }
      expect(damage, `killed after ${acks} acknowledgements`).toEqual([]);
      const missing = acknowledged.filter((seq) => found.get(seq) === undefined);
      expect(missing, `killed after ${acks} acknowledgements`).toEqual([]);
      for (const seq of acknowledged) expect(found.get(seq)).toEqual(recordFor(seq));
      // A resume appends cleanly after whatever the kill cut.
      const log = await AppendLog.open(path);
      await log.append({ seq: -1 });
      await log.close();
      expect((await readFile(path, 'utf8')).endsWith('{"seq":-1}\n')).toBe(true);
    }
  });
});
