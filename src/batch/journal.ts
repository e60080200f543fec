/**
 * The run's journal: a header, then every finished record exactly as it goes to the output, each
 * appended durably (fdatasync) before the item counts as done or reaches the output file. Opening
 * it decides whether a run starts over or resumes, and refuses to overwrite an output that no
 * journal accounts for. `journal-state.ts` reads it back.
 */
import { access, open, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { AppendLog } from '../journal/append-log.js';
import { BatchError } from './errors.js';

export interface JournalHeader {
  readonly journal: 'volley-batch';
  readonly version: 1;
  /** File name of the output this journal belongs to. */
  readonly output: string;
  readonly input: string | null;
  readonly created_at: string;
}

export interface OpenJournalOptions {
  readonly path: string;
  readonly output: string;
  readonly input: string | null;
  /** Start over: the journal and the output are replaced. */
  readonly force: boolean;
  /** Insist on resuming: a missing journal is an error rather than a fresh start. */
  readonly resume: boolean;
}

/**
 * Opens (or creates) the journal and decides whether this run resumes. Throws a `BatchError`
 * when an output exists that no journal accounts for, or the journal belongs to another output.
 */
export async function openJournal(
  options: OpenJournalOptions,
): Promise<{ log: AppendLog; resumed: boolean }> {
  const { path, output, force } = options;
  if (!force && (await exists(path))) {
    const header = await readHeader(path);
    if (header !== undefined && header.output !== basename(output)) {
      throw new BatchError(
        'journal_mismatch',
        `The journal ${path} belongs to the output '${header.output}', not '${basename(output)}'. ` +
          'Pass the matching --out, another --journal, or --force to start over.',
      );
    }
    const log = await AppendLog.open(path);
    if (header === undefined) await log.append(newHeader(options));
    return { log, resumed: header !== undefined };
  }
  if (!force && options.resume) {
    throw new BatchError('nothing_to_resume', `Nothing to resume: there is no journal at ${path}.`);
  }
  if (!force && (await exists(output))) {
    throw new BatchError(
      'output_exists',
      `The output ${output} exists but has no journal at ${path}, so it cannot be resumed. ` +
        'Pass --force to overwrite it, or choose another --out.',
    );
  }
  await rm(path, { force: true });
  const log = await AppendLog.open(path);
  await log.append(newHeader(options));
  await syncDirectory(dirname(path));
  return { log, resumed: false };
}

/** Makes a new file's directory entry durable too, so that a power cut cannot lose the journal. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can sync a directory; a kill -9 never needed it.
  }
}

/** The first line, when it is complete (a torn header was never acknowledged). */
async function readHeader(path: string): Promise<JournalHeader | undefined> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(10);
    if (end < 0) return undefined;
    let header: unknown;
    try {
      header = JSON.parse(buffer.subarray(0, end).toString('utf8'));
    } catch {
      header = undefined;
    }
    if ((header as Partial<JournalHeader> | undefined)?.journal !== 'volley-batch') {
      throw new BatchError(
        'journal_mismatch',
        `${path} is not a Volley batch journal. Pass another --journal.`,
      );
    }
    return header as JournalHeader;
  } finally {
    await file.close();
  }
}

function newHeader(options: OpenJournalOptions): JournalHeader {
  return {
    journal: 'volley-batch',
    version: 1,
    output: basename(options.output),
    input: options.input,
    created_at: new Date().toISOString(),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
