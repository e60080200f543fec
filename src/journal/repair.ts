/**
 * Repairing a damaged log: the intact records stay, the damaged lines move to
 * `<log>.damaged-<time>` (nothing is destroyed), and the caller is told where the damage was, so
 * that a resume sends only what is missing instead of starting over.
 *
 * A damaged line in the middle is skipped and the valid lines after it are kept; it does not end
 * the good prefix. Every line of the log was written whole and synced before its append resolved,
 * and each record stands on its own (a later record for a key replaces an earlier one; none
 * depends on the line before it). So the lines after the damage were acknowledged and are intact:
 * dropping them would throw away answers that were paid for, and pay for them again, which is
 * exactly what cutting at the damage does. The known cause shows it: an old short write left half
 * a record with the next whole record glued on, and every record after that line was good.
 */
import { open } from 'node:fs/promises';
import { replaceFile, writeFileAtomic } from './atomic.js';
import { openFile, writeAll } from './file.js';
import { type LogDamage, readLog } from './read-log.js';

export interface RepairResult {
  /** The damaged lines set aside, in order; empty when the log was whole. */
  readonly damage: readonly LogDamage[];
  /** Where the damaged lines went, byte for byte; undefined when there were none. */
  readonly movedTo: string | undefined;
}

export interface RepairOptions {
  /** The damage a `readLog` with `onDamage` already found: skips reading the log again. */
  readonly damage?: readonly LogDamage[] | undefined;
  /** Names the file the damaged lines go to. @default now */
  readonly now?: Date | undefined;
}

/**
 * Finds the damaged lines of the log at `path` (or takes `options.damage`) and, when there are
 * any, moves them out: first durably into `<path>.damaged-<time>`, then the log is rewritten
 * without them by atomic replace, so a kill in between leaves the log as it was. The log must not
 * be open for appending meanwhile (repair before `AppendLog.open`). A torn last line is not
 * damage: `AppendLog.open` cuts it.
 */
export async function repairLog(path: string, options: RepairOptions = {}): Promise<RepairResult> {
  const damage = options.damage ?? (await findDamage(path));
  if (damage.length === 0) return { damage, movedTo: undefined };
  const movedTo = `${path}.damaged-${(options.now ?? new Date()).toISOString().replace(/:/g, '-')}`;
  const source = await open(path, 'r');
  try {
    const lines = await Promise.all(
      damage.map(async ({ offset, length }) => {
        const bytes = Buffer.alloc(length + 1, 10);
        await source.read(bytes, 0, length, offset);
        return bytes;
      }),
    );
    await writeFileAtomic(movedTo, Buffer.concat(lines), { what: 'the damaged journal lines' });
    const size = (await source.stat()).size;
    await replaceFile(
      path,
      async (temporary) => {
        const target = await openFile(temporary, 'truncate');
        try {
          let at = 0;
          for (const { offset, length } of [...damage, { offset: size, length: -1 }]) {
            await copy(source, target, at, offset);
            at = offset + length + 1;
          }
        } finally {
          await target.close();
        }
      },
      { what: 'the journal' },
    );
  } finally {
    await source.close();
  }
  return { damage, movedTo };
}

async function findDamage(path: string): Promise<LogDamage[]> {
  const damage: LogDamage[] = [];
  for await (const _ of readLog(path, { onDamage: (d) => damage.push(d) })) {
    // Only the damage is wanted here.
  }
  return damage;
}

const COPY_BYTES = 1024 * 1024;

/** Copies bytes `[from, to)` of `source` to the end of `target`. */
async function copy(
  source: Awaited<ReturnType<typeof open>>,
  target: Awaited<ReturnType<typeof openFile>>,
  from: number,
  to: number,
): Promise<void> {
  const buffer = Buffer.alloc(Math.min(COPY_BYTES, Math.max(0, to - from)));
  for (let at = from; at < to; ) {
    const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, to - at), at);
    if (bytesRead === 0) break;
    await writeAll(target, buffer.subarray(0, bytesRead), null);
    at += bytesRead;
  }
}
