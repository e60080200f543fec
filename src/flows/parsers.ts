/**
 * Parsers for what chains need most: the items of a numbered or bulleted list, and a JSON value
 * inside an answer (bare, or in a fenced code block). They throw an `Error` saying what was wrong,
 * which `step.llm(..., { parse })` sends back to the model when it asks again.
 */

// `1. x`, `1) x`, `(1) x`, `- x`, `* x`, `• x`, with optional indentation and **bold** markers.
const ITEM = /^\s*(?:\(?\d{1,4}[.)]|[-*•+])\s+(.*\S)\s*$/;

/** The text of one list line without its number or bullet; undefined when the line is not an item. */
export function listItem(line: string): string | undefined {
  const match = ITEM.exec(line);
  if (!match) return undefined;
  return match[1]!.replace(/^\*\*(.+)\*\*$/, '$1').trim();
}

/**
 * The items of a numbered or bulleted list, in order. Text around the list ("Here are three
 * sections:") is skipped; an answer with no list markers at all gives its non-empty lines.
 */
export function parseList(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const items = lines.map(listItem).filter((item): item is string => item !== undefined);
  if (items.length > 0) return items;
  const plain = lines.map((line) => line.trim()).filter((line) => line !== '');
  if (plain.length === 0) throw new Error('The answer is empty; expected a list with one item per line.');
  return plain;
}

/**
 * The JSON value in an answer: the whole answer, else the first fenced ```json block, else the
 * span from the first `{` or `[` to the last matching `}` or `]`.
 */
export function parseJsonBlock(text: string): unknown {
  const candidates = [text.trim()];
  const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)```/.exec(text);
  if (fenced) candidates.push(fenced[1]!.trim());
  const start = text.search(/[{[]/);
  if (start >= 0) {
    const close = text[start] === '{' ? '}' : ']';
    const end = text.lastIndexOf(close);
    if (end > start) candidates.push(text.slice(start, end + 1));
  }
  let firstError: unknown;
  for (const candidate of candidates) {
    if (candidate === '') continue;
    try {
      return JSON.parse(candidate);
    } catch (error) {
      firstError ??= error;
    }
  }
  const detail = firstError instanceof Error ? `: ${firstError.message}` : '';
  throw new Error(`The answer is not valid JSON${detail}.`);
}

/**
 * Splits streamed text into complete lines: `push` returns the lines a delta completed, `end`
 * the last line (which has no newline after it).
 */
export class LineSplitter {
  #partial = '';

  push(delta: string): string[] {
    const text = this.#partial + delta;
    const lines = text.split(/\r?\n/);
    this.#partial = lines.pop()!;
    return lines;
  }

  end(): string[] {
    const last = this.#partial;
    this.#partial = '';
    return last === '' ? [] : [last];
  }
}
