/**
 * The real file system with faults injected, the way Linux shows them: a write that runs into a
 * full disk writes what fits and returns the short count, and the next one fails with `ENOSPC`;
 * a sync can fail with `EIO`; a sync can be held open to see what piles up behind it.
 */
import { type DurableFile, type OpenFile, openFile } from '../file.js';

export interface Faults {
  /** Bytes one `write` call writes at most (a short write past it). @default no limit */
  maxWrite: number;
  /** Bytes the disk can still take; set it back to Infinity to "free space". @default Infinity */
  space: number;
  /** How many of the next syncs fail with `EIO`. @default 0 */
  failSyncs: number;
  /** Awaited before each sync: a test can hold one open. */
  beforeSync: (() => Promise<void> | void) | undefined;
  /** Every `write` call, as the bytes it was asked to write (its length). */
  readonly writes: number[];
  syncs: number;
}

export function faults(init: Partial<Faults> = {}): Faults {
  return {
    maxWrite: Number.POSITIVE_INFINITY,
    space: Number.POSITIVE_INFINITY,
    failSyncs: 0,
    beforeSync: undefined,
    writes: [],
    syncs: 0,
    ...init,
  };
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export function faultyFiles(f: Faults): OpenFile {
  return async (path, mode) => {
    const real = await openFile(path, mode);
    const file: DurableFile = {
      ...real,
      async write(buffer, offset, length, position) {
        f.writes.push(length);
        if (f.space <= 0) throw systemError('ENOSPC', 'no space left on device, write');
        const allowed = Math.min(length, f.maxWrite, f.space);
        const result = await real.write(buffer, offset, allowed, position);
        f.space -= result.bytesWritten;
        return result;
      },
      async datasync() {
        await f.beforeSync?.();
        f.syncs++;
        if (f.failSyncs > 0) {
          f.failSyncs--;
          throw systemError('EIO', 'i/o error, fdatasync');
        }
        await real.datasync();
      },
    };
    return file;
  };
}
