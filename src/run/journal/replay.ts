/**
 * Reading a run journal back: every line with its byte offset, into the compact `RunState`, the
 * segments, the executors' entries and the seal. Records are not parsed, only their summaries, so
 * a journal of a million full records replays in seconds. A line that does not parse stops the
 * replay: what came before it is kept (`goodBytes`), and what came after is sent again.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { RunError } from '../errors.js';
import {
  type ExecutorEntry,
  entryType,
  type HeaderEntry,
  type IndexEntry,
  JOURNAL_KIND,
  JOURNAL_VERSION,
  type SealEntry,
  type SegmentEntry,
  splitRecordLine,
} from './entries.js';
import { RunState } from './state.js';

export interface Replayed {
  readonly header: HeaderEntry;
  readonly segments: SegmentEntry[];
  readonly state: RunState;
  readonly executorEntries: ExecutorEntry[];
  readonly seal: SealEntry | undefined;
  /** Where the complete, readable lines end. */
  readonly goodBytes: number;
  /** Why the replay stopped before the end, when a line was damaged. */
  readonly damaged: string | undefined;
}

const CHUNK = 1024 * 1024;

export function replayJournal(path: string): Replayed {
  const state = new RunState();
  const segments: SegmentEntry[] = [];
  const executorEntries: ExecutorEntry[] = [];
  let header: HeaderEntry | undefined;
  let seal: SealEntry | undefined;
  let lineNo = 0;
  const { goodBytes, damaged } = eachLine(path, (line, at) => {
    lineNo++;
    const type = entryType(line);
    if (lineNo === 1) {
      header = readHeader(line, path);
      return;
    }
    switch (type) {
      case 'r':
        state.replay(splitRecordLine(line).meta, true, at, line.length);
        return;
      case 'i':
        state.replay(JSON.parse(line.toString('utf8')) as IndexEntry, false, at, line.length);
        return;
      case 's':
        segments.push(JSON.parse(line.toString('utf8')) as SegmentEntry);
        return;
      case 'x':
        executorEntries.push(JSON.parse(line.toString('utf8')) as ExecutorEntry);
        return;
      case 'z': {
        seal = JSON.parse(line.toString('utf8')) as SealEntry;
        state.spent.tokens += seal.spent.tokens;
        state.spent.usd += seal.spent.usd;
        return;
      }
      default:
        throw new Error(`unknown entry ${line.toString('utf8', 0, 40)}`);
    }
  });
  if (!header) {
    throw new RunError(
      'journal_mismatch',
      `${path} is empty or not a Volley run journal. Pass another --journal.`,
    );
  }
  return { header, segments, state, executorEntries, seal, goodBytes, damaged };
}

function readHeader(line: Buffer, path: string): HeaderEntry {
  let header: Partial<HeaderEntry> & { journal?: string; version?: number };
  try {
    header = JSON.parse(line.toString('utf8')) as typeof header;
  } catch {
    header = {};
  }
  if ((header.journal as string | undefined) === 'volley-batch') {
    throw new RunError(
      'journal_mismatch',
      `${path} was written by an older Volley, whose journal cannot say what each answer was for. ` +
        'Rerun with --force to start over (every line is sent again).',
    );
  }
  if (header.journal !== JOURNAL_KIND || header.version !== JOURNAL_VERSION) {
    throw new RunError('journal_mismatch', `${path} is not a Volley run journal. Pass another --journal.`);
  }
  return header as HeaderEntry;
}

/**
 * Calls `each` with every complete line (without its newline) and its byte offset. A last line
 * without a newline was cut by a crash before it was acknowledged: it is left out.
 */
function eachLine(
  path: string,
  each: (line: Buffer, at: number) => void,
): { goodBytes: number; damaged: string | undefined } {
  const fd = openSync(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let carryAt = 0;
    let position = 0;
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const bytes = readSync(fd, chunk, 0, CHUNK, position);
      if (bytes === 0) return { goodBytes: carryAt, damaged: undefined };
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytes)]) : chunk.subarray(0, bytes);
      const base = carry.length > 0 ? carryAt : position;
      position += bytes;
      let start = 0;
      for (let end = data.indexOf(10); end >= 0; end = data.indexOf(10, start)) {
        if (end > start) {
          try {
            each(data.subarray(start, end), base + start);
          } catch (error) {
            if (error instanceof RunError) throw error;
            return {
              goodBytes: base + start,
              damaged: `line at byte ${base + start}: ${(error as Error).message}`,
            };
          }
        }
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start));
      carryAt = base + start;
    }
  } finally {
    closeSync(fd);
  }
}
