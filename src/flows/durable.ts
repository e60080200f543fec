/**
 * The step journal that makes flows durable. Each finished step appends one record to an
 * `AppendLog` (on disk before the step returns), keyed by the flow's name, a hash of the run's
 * input, and the step's position; a rerun of the same flow on the same input finds the record and
 * skips the step, so a crash near the end costs only the calls that had not finished.
 */
import { access } from 'node:fs/promises';
import { AppendLog, readLog } from '../journal/append-log.js';
import { contentHash } from '../records/hash.js';

export interface JournalRecord {
  /** `flow/inputHash/stepPath`. */
  readonly key: string;
  /** What the step produced: the answer's text for a call step, the value for the others. */
  readonly text?: string;
  readonly value?: unknown;
  /** Digest of the request a call step sent: a step whose request has changed since is not skipped. */
  readonly request?: string;
}

/**
 * Where a flow's finished steps are kept: a `FlowJournal` file of its own for `flow.run`, or the
 * run journal of `volley flow` / `flow.batch`, which keeps them beside the records.
 */
export interface StepJournal {
  /** The record of a step; with `request`, only if it was recorded for the same request. */
  lookup(key: string, request?: string): JournalRecord | undefined;
  /** Resolves once the record is durably on disk. */
  record(record: JournalRecord): Promise<void>;
}

export class FlowJournal implements StepJournal {
  readonly #records: Map<string, JournalRecord>;

  private constructor(
    private readonly log: AppendLog,
    records: Map<string, JournalRecord>,
  ) {
    this.#records = records;
  }

  /** Opens (or creates) the journal at `path` and reads what earlier runs recorded. */
  static async open(path: string): Promise<FlowJournal> {
    const records = new Map<string, JournalRecord>();
    if (await exists(path)) {
      for await (const record of readLog<JournalRecord>(path)) {
        if (record && typeof record.key === 'string') records.set(record.key, record);
      }
    }
    return new FlowJournal(await AppendLog.open(path), records);
  }

  get path(): string {
    return this.log.path;
  }

  /** Records held, from earlier runs and this one. */
  get size(): number {
    return this.#records.size;
  }

  /** The record of a step; with `request`, only if it was recorded for the same request. */
  lookup(key: string, request?: string): JournalRecord | undefined {
    const record = this.#records.get(key);
    if (record && request !== undefined && record.request !== undefined && record.request !== request)
      return undefined;
    return record;
  }

  /** Resolves once the record is durably on disk. */
  async record(record: JournalRecord): Promise<void> {
    await this.log.append(record);
    this.#records.set(record.key, record);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

export function journalKey(flow: string, inputHash: string, path: string): string {
  return `${flow}/${inputHash}/${path}`;
}

/** A short digest of a run's input: the same JSON value, keys in any order, gives the same hash. */
export function hashInput(input: unknown): string {
  return contentHash(input);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
