/**
 * An input line whose bytes are not valid UTF-8. It is never sent: decoding it would put U+FFFD
 * in the prompt and pay for a request the user never wrote. The run turns it into an error record
 * with `message`, which names the line and the byte offset of the first bad byte.
 */
import { firstInvalidUtf8 } from '../journal/regions.js';

export class InvalidLine {
  /** Byte offset, in the whole input, of the first byte that is not valid UTF-8. */
  readonly offset: number;

  constructor(
    /** 1-based line number, blank lines counted. */
    readonly line: number,
    /** Byte offset of the line's first byte in the input. */
    readonly lineOffset: number,
    /** The line's bytes, without its `\n` or `\r\n`. */
    readonly bytes: Uint8Array,
  ) {
    this.offset = lineOffset + Math.max(0, firstInvalidUtf8(bytes));
  }

  /** The line decoded with U+FFFD for each bad sequence: for display, never for sending. */
  get text(): string {
    return Buffer.from(this.bytes).toString('utf8');
  }

  get message(): string {
    const bad = this.bytes[this.offset - this.lineOffset] ?? 0;
    return (
      `line ${this.line}: not valid UTF-8 (byte 0x${bad.toString(16).padStart(2, '0')} at byte offset ` +
      `${this.offset} of the input). Save the file as UTF-8 and rerun.`
    );
  }
}
