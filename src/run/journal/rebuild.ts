/**
 * The end of an invocation, and what a kill during it leaves. The output (and the errors file)
 * were written as `.partial` files and the compacted journal as `.compact`; then:
 *
 *   1. the three are synced;
 *   2. `journal.compact` is renamed over the journal: the commit point. Its seal names the size and
 *      CRC of the output and errors file its index describes;
 *   3. `out.partial` is renamed over the output, then `errors.partial` over the errors file.
 *
 * A kill before 2 leaves the old journal, whose records and index still describe the old output:
 * the partial files are stale and deleted on the next open. A kill between 2 and 3 leaves a journal
 * whose seal matches the `.partial` files: the next open finishes the renames (`recoverOutput`).
 * The output is never truncated or mixed: it is only ever replaced whole.
 */
import { crc32 } from 'node:zlib';
import {
  compactOf,
  exists,
  fileCrc,
  partialOf,
  type RunPaths,
  remove,
  replace,
  sizeOf,
  syncDir,
  syncFile,
} from '../files.js';
import type { SealEntry } from './entries.js';

export interface FileSeal {
  readonly bytes: number;
  readonly crc: number;
}

/** Finishes an interrupted end of invocation, or tidies up after a killed one. */
export async function recoverOutput(paths: RunPaths, seal: SealEntry): Promise<'kept' | 'finished' | 'lost'> {
  const out = paths.out!;
  const journal = paths.journal!;
  await remove(compactOf(journal));
  const wanted = seal.output!;
  let found: 'kept' | 'finished' | 'lost' = 'lost';
  if (await matches(partialOf(out), wanted)) {
    await replace(partialOf(out), out);
    found = 'finished';
  } else if ((await sizeOf(out)) === wanted.bytes) {
    found = 'kept';
  }
  if (paths.errors !== undefined) {
    const errorsPartial = partialOf(paths.errors);
    if (found === 'finished' && seal.errors && (await matches(errorsPartial, seal.errors))) {
      await replace(errorsPartial, paths.errors);
    }
    await remove(errorsPartial);
  }
  await remove(partialOf(out));
  if (found === 'finished') await syncDir(out);
  return found;
}

async function matches(path: string, seal: FileSeal): Promise<boolean> {
  return (await sizeOf(path)) === seal.bytes && fileCrc(path) === seal.crc;
}

/** Steps 1 to 3 above, for the files this invocation wrote. */
export async function commitRebuild(paths: RunPaths, wrote: { readonly compact: boolean }): Promise<void> {
  const { out, errors, journal } = paths;
  const files = [out, errors].filter((f): f is string => f !== undefined).map(partialOf);
  const present = await Promise.all(files.map(exists));
  const written = files.filter((_, i) => present[i]);
  for (const file of written) await syncFile(file);
  if (wrote.compact && journal !== undefined) {
    await syncFile(compactOf(journal));
    await replace(compactOf(journal), journal);
    await syncDir(journal);
  }
  for (const file of written) await replace(file, file.slice(0, -'.partial'.length));
  if (written.length > 0) await syncDir(written[0]!);
}

/** CRC-32 and length of what a writer wrote, kept as it goes. */
const NEWLINE = Buffer.from('\n');

export class Checksum {
  bytes = 0;
  crc = 0;

  /** One line's bytes, without the newline that follows them. */
  add(line: Buffer): void {
    this.crc = crc32(NEWLINE, crc32(line, this.crc));
    this.bytes += line.length + 1;
  }

  get seal(): FileSeal {
    return { bytes: this.bytes, crc: this.crc };
  }
}
