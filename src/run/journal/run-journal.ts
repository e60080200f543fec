/**
 * The one journal of a run, for every executor: opened (created, or replayed for a resume),
 * appended to durably (records, executor entries), and read back by slot when an earlier record
 * is copied into the rebuilt output. Opening decides whether the run starts over or resumes, and
 * refuses what would mix answers: an output no journal accounts for, a journal of another output,
 * or another endpoint than the one that answered so far (unless told to send those lines again).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { basename } from 'node:path';
import { crc32 } from 'node:zlib';
import { AppendLog } from '../../journal/append-log.js';
import type { OpenFile } from '../../journal/file.js';
import { repairLog } from '../../journal/repair.js';
import { RunError } from '../errors.js';
import { exists, type RunPaths, remove, sizeOf, syncDir } from '../files.js';
import { type EndpointIdentity, identityChanges } from '../identity.js';
import {
  type ExecutorEntry,
  type HeaderEntry,
  type IndexEntry,
  JOURNAL_KIND,
  JOURNAL_VERSION,
  type RecordMeta,
  recordLine,
  type SealEntry,
  type SegmentEntry,
  splitRecordLine,
} from './entries.js';
import { recoverOutput } from './rebuild.js';
import { replayJournal } from './replay.js';
import { RunState } from './state.js';

export interface OpenJournalOptions {
  readonly paths: RunPaths & { readonly journal: string };
  /** Start over: the journal (and the output, at the end) are replaced. */
  readonly force: boolean;
  /** Insist on resuming: a missing journal is an error rather than a fresh start. */
  readonly resume: boolean;
  readonly identity: EndpointIdentity | undefined;
  /** Accept another endpoint than the journal's: lines whose hash differs under it are sent again. */
  readonly rerunChanged: boolean;
  readonly executor: string;
  readonly input: string | null;
  /** The journal's file operations. @default the real file system; tests inject a full disk */
  readonly openFile?: OpenFile | undefined;
}

export class RunJournal {
  /** Entries noted so far, per executor: the arrays executors read as `context.journal.entries`. */
  readonly #entries = new Map<string, unknown[]>();
  #journalFd: number | undefined;
  #outputFd: number | undefined;
  /** What `read` reads into; grown for a longer record. */
  #scratch = Buffer.allocUnsafeSlow(64 * 1024);

  private constructor(
    private readonly log: AppendLog,
    readonly path: string,
    readonly header: HeaderEntry,
    readonly segments: readonly SegmentEntry[],
    readonly state: RunState,
    readonly executorEntries: ExecutorEntry[],
    readonly seal: SealEntry | undefined,
    /** What changed in the endpoint since the last invocation (accepted with `rerunChanged`). */
    readonly identityChanges: readonly string[],
    readonly warnings: readonly string[],
    private readonly output: string | undefined,
  ) {
    for (const entry of executorEntries) this.entriesOf(entry.x).push(entry.e);
  }

  static async open(options: OpenJournalOptions): Promise<RunJournal> {
    const { paths, force } = options;
    const path = paths.journal;
    if (force) await remove(path);
    const size = force ? undefined : await sizeOf(path);
    if (size === undefined || size === 0) return RunJournal.#create(options);
    let replayed = replayJournal(path);
    const warnings: string[] = [];
    if (replayed.damaged !== undefined) {
      // Damaged lines (a short write of an older Volley) are moved aside; every intact record stays.
      const { movedTo } = await repairLog(path);
      warnings.push(
        `The journal ${path} was damaged (${replayed.damaged}); the damaged lines were moved to ${movedTo ?? 'nowhere'}, every intact record is kept, and only what is missing is sent again.`,
      );
      replayed = replayJournal(path);
      if (replayed.damaged !== undefined) await truncate(path, replayed.goodBytes);
    }
    const { header, state } = replayed;
    const output = paths.out === undefined ? null : basename(paths.out);
    if (header.output !== output) {
      throw new RunError(
        'journal_mismatch',
        `The journal ${path} belongs to ${header.output === null ? 'a run written to a stream' : `the output '${header.output}'`}, ` +
          `not ${output === null ? 'a stream' : `'${output}'`}. Pass the matching --out, another --journal, or --force to start over.`,
      );
    }
    if (paths.out !== undefined && replayed.seal?.output) {
      const found = await recoverOutput(paths, replayed.seal);
      if (found === 'lost') {
        warnings.push(
          `The output ${paths.out} is not the one the journal describes (missing or changed since); its lines are sent again.`,
        );
        state.forgetIndexed();
      }
    }
    const last = [...replayed.segments].reverse().find((s) => s.identity !== null)?.identity;
    const changes = last && options.identity ? identityChanges(last, options.identity) : [];
    if (changes.length > 0 && !options.rerunChanged) {
      throw new RunError(
        'identity_changed',
        `The journal ${path} was answered by another endpoint than this run's:\n  ${changes.join('\n  ')}\n` +
          'Pass --rerun-changed to accept it and send again the lines whose request differs under it, ' +
          'another --out to start a separate run, or --force to start over.',
      );
    }
    const log = await AppendLog.open(path, { openFile: options.openFile });
    const segment = newSegment(options, replayed.segments.length + 1);
    await log.append(segment);
    return new RunJournal(
      log,
      path,
      header,
      [...replayed.segments, segment],
      state,
      replayed.executorEntries,
      replayed.seal,
      changes,
      warnings,
      paths.out,
    );
  }

  static async #create(options: OpenJournalOptions): Promise<RunJournal> {
    const { paths } = options;
    if (options.resume) {
      throw new RunError('nothing_to_resume', `Nothing to resume: there is no journal at ${paths.journal}.`);
    }
    if (!options.force && paths.out !== undefined && (await exists(paths.out))) {
      throw new RunError(
        'output_exists',
        `The output ${paths.out} exists but has no journal at ${paths.journal}, so it cannot be resumed. ` +
          'Pass --force to overwrite it, or choose another --out.',
      );
    }
    await remove(paths.journal);
    const header: HeaderEntry = {
      t: 'h',
      journal: JOURNAL_KIND,
      version: JOURNAL_VERSION,
      output: paths.out === undefined ? null : basename(paths.out),
      created_at: new Date().toISOString(),
    };
    const log = await AppendLog.open(paths.journal, { openFile: options.openFile });
    const segment = newSegment(options, 1);
    await log.append(header);
    await log.append(segment);
    await syncDir(paths.journal);
    return new RunJournal(
      log,
      paths.journal,
      header,
      [segment],
      new RunState(),
      [],
      undefined,
      [],
      [],
      paths.out,
    );
  }

  /** The number of this invocation: 1 for a fresh run. */
  get invocation(): number {
    return this.segments.length;
  }

  get resumed(): boolean {
    return this.segments.length > 1;
  }

  entriesOf(executor: string): unknown[] {
    let entries = this.#entries.get(executor);
    if (!entries) {
      entries = [];
      this.#entries.set(executor, entries);
    }
    return entries;
  }

  /** Appends a finished record; resolves once it is on disk. */
  appendRecord(meta: RecordMeta, text: string): Promise<void> {
    return this.log.appendJSON(recordLine(meta, text));
  }

  async note(executor: string, entry: unknown, item: string | undefined): Promise<void> {
    const line: ExecutorEntry =
      item === undefined ? { t: 'x', x: executor, e: entry } : { t: 'x', x: executor, i: item, e: entry };
    await this.log.append(line);
    this.executorEntries.push(line);
    this.entriesOf(executor).push(entry);
  }

  /**
   * An earlier record's summary, bytes and checksum, from its record line or through its index
   * line. The bytes are a view of one buffer that every read reuses, valid until the next read:
   * a rerun copies a million kept records, and a fresh buffer each would be garbage for each.
   */
  read(slot: number): { meta: RecordMeta; bytes: Buffer; crc: number } {
    const { at, length, full } = this.state.location(slot);
    this.#journalFd ??= openSync(this.path, 'r');
    const line = this.#readAt(this.#journalFd, at, length);
    if (full) {
      const { meta, start, end } = splitRecordLine(line);
      const bytes = line.subarray(start, end);
      return { meta, bytes, crc: crc32(bytes) };
    }
    const index = JSON.parse(line.toString('utf8')) as IndexEntry;
    if (this.output === undefined) throw new Error('an index line without an output file');
    this.#outputFd ??= openSync(this.output, 'r');
    const bytes = this.#readAt(this.#outputFd, index.o, index.n);
    if (crc32(bytes) !== index.x) {
      throw new RunError(
        'journal_mismatch',
        `The output ${this.output} was changed after the run wrote it (line ${index.l} differs from what the journal recorded). ` +
          'Move it aside and rerun to send its lines again, or pass --force to start over.',
      );
    }
    return { meta: index, bytes, crc: index.x };
  }

  #readAt(fd: number, at: number, length: number): Buffer {
    if (this.#scratch.length < length)
      this.#scratch = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.#scratch.length));
    const buffer = this.#scratch.subarray(0, length);
    for (let done = 0; done < length; ) {
      const bytes = readSync(fd, buffer, done, length - done, at + done);
      if (bytes === 0) throw new Error(`a record ends past the end of its file (byte ${at + done})`);
      done += bytes;
    }
    return buffer;
  }

  async close(): Promise<void> {
    for (const fd of [this.#journalFd, this.#outputFd]) if (fd !== undefined) closeSync(fd);
    this.#journalFd = this.#outputFd = undefined;
    await this.log.close();
  }
}

function newSegment(options: OpenJournalOptions, n: number): SegmentEntry {
  return {
    t: 's',
    n,
    at: new Date().toISOString(),
    executor: options.executor,
    input: options.input,
    identity: options.identity ?? null,
  };
}
