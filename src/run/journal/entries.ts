/**
 * The run journal's lines. The first is the header; each invocation appends a segment, then its
 * records and its executor's entries as they happen. A record line carries its summary (`meta`)
 * and the full record; once an invocation ends and the output is rebuilt, the journal is
 * compacted: each record becomes an index line (its summary and where it sits in the output, with
 * a CRC), and a seal line keeps the run's spend, superseded records included. Every line starts
 * with `{"t":"<type>"`, so a reader can tell them apart without parsing the record.
 */
import type { RecordKind, RunRecord } from '../../records/types.js';
import { kindOf } from '../../records/types.js';
import type { EndpointIdentity } from '../identity.js';

export const JOURNAL_KIND = 'volley-run';
export const JOURNAL_VERSION = 2;

export interface HeaderEntry {
  readonly t: 'h';
  readonly journal: typeof JOURNAL_KIND;
  readonly version: typeof JOURNAL_VERSION;
  /** File name of the output this journal belongs to; null when the records go to a stream. */
  readonly output: string | null;
  readonly created_at: string;
}

/** One per invocation of the run, in order. */
export interface SegmentEntry {
  readonly t: 's';
  /** 1 for the first invocation. */
  readonly n: number;
  readonly at: string;
  readonly executor: string;
  /** The input's name as given (`-` for stdin); the content is what resume compares, not this. */
  readonly input: string | null;
  /** What answered this invocation; a resume compares against the last one. */
  readonly identity: EndpointIdentity | null;
}

/** What the journal keeps of every record: enough to resume, count and budget without the record. */
export interface RecordMeta {
  /** The record's key in the run (`custom_id`, `line-N`, or `@N` for a line that was not sent). */
  readonly k: string;
  /** Content hash of what was sent. */
  readonly h: string;
  readonly l: number;
  readonly s: RecordKind;
  /** The error code of a failed record. */
  readonly e?: string;
  /** Prompt and completion tokens. */
  readonly u?: readonly [number, number];
  readonly c?: number;
  readonly a: number;
  readonly m?: string;
}

// A record line is `{ t: 'r', ...RecordMeta, r: RunRecord }`; it is read in two parts (see
// splitRecordLine), so that the record's bytes go to the output without a parse and a stringify.

/** A record at rest: it lives in the output at bytes `o` to `o + n`, whose CRC-32 is `x`. */
export interface IndexEntry extends RecordMeta {
  readonly t: 'i';
  readonly o: number;
  readonly n: number;
  readonly x: number;
}

export interface ExecutorEntry {
  readonly t: 'x';
  /** The executor that noted it. */
  readonly x: string;
  /** The item it belongs to, if any: dropped at compaction once that item has an answer. */
  readonly i?: string;
  readonly e: unknown;
}

/** The end of a compacted journal: what the run has spent, and the output the index describes. */
export interface SealEntry {
  readonly t: 'z';
  /** Every record ever journaled, superseded and dropped ones included. */
  readonly spent: { readonly tokens: number; readonly usd: number };
  /** Size and CRC-32 of the output the index lines point into; null when the records went to a stream. */
  readonly output: { readonly bytes: number; readonly records: number; readonly crc: number } | null;
  /** Size and CRC-32 of the errors file written with it, if any. */
  readonly errors: { readonly bytes: number; readonly crc: number } | null;
}

export function recordMeta(key: string, hash: string, record: RunRecord): RecordMeta {
  const kind = kindOf(record);
  const meta: { -readonly [K in keyof RecordMeta]: RecordMeta[K] } = {
    k: key,
    h: hash,
    l: record.line,
    s: kind,
    a: record.attempts,
  };
  if (kind === 'failed') meta.e = record.error!.code;
  if (record.usage) meta.u = [record.usage.prompt_tokens, record.usage.completion_tokens];
  if (record.cost_usd !== null) meta.c = record.cost_usd;
  if (record.model !== null) meta.m = record.model;
  return meta;
}

/** A record line: the summary, then the record's own text as the output gets it, byte for byte. */
export function recordLine(meta: RecordMeta, text: string): string {
  const head = JSON.stringify({ t: 'r', ...meta });
  return `${head.slice(0, -1)},"r":${text}}`;
}

export function indexLine(meta: RecordMeta, offset: number, length: number, crc: number): string {
  return JSON.stringify({ t: 'i', ...metaOf(meta), o: offset, n: length, x: crc });
}

/** Only the summary's own fields, from a record or index line that has others too. */
function metaOf(entry: RecordMeta): RecordMeta {
  const { k, h, l, s, e, u, c, a, m } = entry;
  const meta: { -readonly [K in keyof RecordMeta]: RecordMeta[K] } = { k, h, l, s, a };
  if (e !== undefined) meta.e = e;
  if (u !== undefined) meta.u = u;
  if (c !== undefined) meta.c = c;
  if (m !== undefined) meta.m = m;
  return meta;
}

/** The separator before the record in a record line: it cannot occur inside a JSON string. */
const RECORD_MARK = Buffer.from(',"r":');

/** Splits a record line into its summary and the record's bytes (start and end within `line`). */
export function splitRecordLine(line: Buffer): { meta: RecordMeta; start: number; end: number } {
  const at = line.indexOf(RECORD_MARK);
  if (at < 0) throw new Error('a record line without its record');
  const meta = metaOf(JSON.parse(`${line.toString('utf8', 0, at)}}`) as RecordMeta);
  return { meta, start: at + RECORD_MARK.length, end: line.length - 1 };
}

/** The type letter of a line, read from its first bytes (`{"t":"r"`). */
export function entryType(line: Buffer): string {
  return line.length > 7 && line[2] === 116 /* t */ ? String.fromCharCode(line[6]!) : '';
}
