/**
 * The step journal that makes flows durable. Each finished step appends one record to an
 * `AppendLog` (on disk before the step returns), keyed by the flow's name, a hash of the run's
 * input, and the step's position; a rerun of the same flow on the same input finds the record and
 * skips the step, so a crash near the end costs only the calls that had not finished.
 */
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { AppendLog, readLog } from '../journal/append-log.js';

export interface JournalRecord {
  /** `flow/inputHash/stepPath`. */
  readonly key: string;
  /** What the step produced: the answer's text for a call step, the value for the others. */
  readonly text?: string;
  readonly value?: unknown;
  /** Digest of the request a call step sent: a step whose request has changed since is not skipped. */
  readonly request?: string;
}

export class FlowJournal {
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
  return createHash('sha256').update(stableJSON(input)).digest('hex').slice(0, 16);
}

function stableJSON(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return stableJSON((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map(stableJSON).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJSON(v)}`).join(',')}}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
