/**
 * Input order across a resume. Each run writes its own records in input order, but a resumed
 * output starts with what earlier runs journaled. Once a resumed run has finished every line, the
 * output (and errors file) is rewritten from the journal in line order: an index of where each
 * line's record sits in the journal, then one positioned read per record, into a temporary file
 * that replaces the output only when complete and synced (`replaceFile`): a kill at any moment
 * leaves the old output or the new one, never a truncated one.
 */
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { replaceFile } from '../journal/atomic.js';
import { LineFile } from './line-file.js';

const CHUNK = 1024 * 1024;

interface JournalIndex {
  offsets: Float64Array;
  lengths: Uint32Array;
  failed: Uint8Array;
  maxLine: number;
}

export async function rewriteInInputOrder(
  journal: string,
  out: string,
  errors: string | undefined,
): Promise<void> {
  const file = await open(journal, 'r');
  try {
    const index = await indexJournal(file.fd);
    await replaceFile(
      out,
      async (outPath) => {
        const outTmp = await LineFile.open(outPath, { truncate: true });
        if (!errors) return copyInOrder(file.fd, index, outTmp, undefined);
        await replaceFile(
          errors,
          async (errorsPath) => {
            const errorsTmp = await LineFile.open(errorsPath, { truncate: true, what: 'the errors file' });
            await copyInOrder(file.fd, index, outTmp, errorsTmp);
          },
          { what: 'the errors file' },
        );
      },
      { what: 'the output' },
    );
  } finally {
    await file.close();
  }
}

/** Writes each line's record in line order, the failed ones to `errors` too, and closes both. */
async function copyInOrder(
  fd: number,
  index: JournalIndex,
  out: LineFile,
  errors: LineFile | undefined,
): Promise<void> {
  try {
    let buffer = Buffer.alloc(64 * 1024);
    for (let line = 1; line <= index.maxLine; line++) {
      const length = index.lengths[line]!;
      if (length === 0) continue;
      if (length > buffer.length) buffer = Buffer.alloc(length * 2);
      readSync(fd, buffer, 0, length, index.offsets[line]!);
      const text = buffer.toString('utf8', 0, length);
      out.write(text);
      if (index.failed[line]) errors?.write(text);
      if (out.backlog > 4 * CHUNK) await out.flush();
    }
  } finally {
    await Promise.all([out.close(), errors?.close()]);
  }
}

/** Where each line's record starts in the journal and how long it is; the header is skipped. */
async function indexJournal(fd: number): Promise<JournalIndex> {
  const index: JournalIndex = {
    offsets: new Float64Array(1024),
    lengths: new Uint32Array(1024),
    failed: new Uint8Array(1024),
    maxLine: 0,
  };
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let position = 0;
  let header = true;
  const chunk = Buffer.alloc(CHUNK);
  for (;;) {
    const bytes = readSync(fd, chunk, 0, CHUNK, position);
    if (bytes === 0) break;
    const data =
      carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytes)]) : chunk.subarray(0, bytes);
    const base = carry.length > 0 ? carryStart : position;
    position += bytes;
    let start = 0;
    for (let end = data.indexOf(10); end >= 0; end = data.indexOf(10, start)) {
      if (header) header = false;
      else if (end > start) note(index, data.subarray(start, end), base + start);
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
    carryStart = base + start;
  }
  return index;
}

function note(index: JournalIndex, bytes: Buffer, offset: number): void {
  const record = JSON.parse(bytes.toString('utf8')) as { line: number; error: unknown };
  const line = record.line;
  if (line >= index.offsets.length) grow(index, line);
  index.offsets[line] = offset;
  index.lengths[line] = bytes.length;
  index.failed[line] = record.error === null ? 0 : 1;
  if (line > index.maxLine) index.maxLine = line;
}

function grow(index: JournalIndex, line: number): void {
  let size = index.offsets.length;
  while (size <= line) size *= 2;
  const offsets = new Float64Array(size);
  offsets.set(index.offsets);
  const lengths = new Uint32Array(size);
  lengths.set(index.lengths);
  const failed = new Uint8Array(size);
  failed.set(index.failed);
  Object.assign(index, { offsets, lengths, failed });
}
