/**
 * How a streamed step turns its answer into items: line by line (list items by default), or the
 * elements of one array property of a JSON answer. A reader takes the text delta by delta, starts
 * over when the scheduler retries the call, and reads a whole answer (one from the journal, or the
 * final text, which has the last word on what the items are).
 */
import type { z } from 'zod';
import { JsonArrayScanner, jsonArrayItems } from './json-stream.js';
import { LineSplitter, listItem, parseJsonBlock } from './parsers.js';

export interface ItemReader<T> {
  /** Items that `delta` completed. */
  push(delta: string): T[];
  /** Items completed by the end of the answer. */
  end(): T[];
  /** The call is being retried: its text starts over. */
  reset(): void;
  /** Every item of a whole answer; throws when the answer cannot be read. */
  whole(text: string): T[];
  /** True once no more items can come, even if the answer goes on. */
  complete(): boolean;
}

/** Items from complete lines; with the default `listItem`, plain lines when no line is a list item. */
export function lineReader<T>(item: ((line: string) => T | undefined) | undefined): ItemReader<T> {
  const toItem = item ?? (listItem as (line: string) => T | undefined);
  let splitter = new LineSplitter();
  const items = (lines: string[]) => lines.map(toItem).filter((x): x is T => x !== undefined);
  return {
    push: (delta) => items(splitter.push(delta)),
    end: () => items(splitter.end()),
    reset: () => {
      splitter = new LineSplitter();
    },
    whole: (text) => {
      const lines = text.split(/\r?\n/);
      const found = items(lines);
      if (found.length > 0 || item !== undefined) return found;
      return lines.map((line) => line.trim()).filter((line) => line !== '') as T[];
    },
    complete: () => false,
  };
}

/** Items from the elements of the array property `key`; the whole answer must match `schema` if given. */
export function jsonReader<T>(key: string, schema: z.ZodType | undefined): ItemReader<T> {
  let scanner = new JsonArrayScanner(key);
  return {
    push: (delta) => scanner.push(delta) as T[],
    end: () => [],
    reset: () => {
      scanner = new JsonArrayScanner(key);
    },
    whole: (text) => {
      const value = parseJsonBlock(text);
      if (schema) {
        const result = schema.safeParse(value);
        if (!result.success) throw new Error(`The JSON does not match the schema: ${result.error.message}`);
      }
      return jsonArrayItems(value, key) as T[];
    },
    complete: () => scanner.done,
  };
}
