/**
 * Content hashes: a short digest of a JSON value that does not depend on key order, so that the
 * same request (or flow input) written with its keys in another order is the same content. What a
 * run journals against each record, and what a flow's step journal keys its steps by.
 */
import { hash } from 'node:crypto';

/**
 * 16 hex digits (64 bits) of the SHA-256 of the value's canonical JSON. One-shot `hash`, not a
 * `Hash` stream object: it runs for every line read.
 */
export function contentHash(value: unknown): string {
  return hash('sha256', stableJSON(value), 'hex').slice(0, 16);
}

/**
 * JSON with object keys sorted and `undefined` members left out, as `JSON.stringify` leaves them.
 * Built by appending in one pass: the `entries`/`filter`/`sort`/`map`/`join` chain it replaced
 * allocated about 7 KB a line on a batch line of a few fields, the largest share of all a resume's
 * garbage. Its output, and so every digest already in a journal, is unchanged.
 */
export function stableJSON(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return stableJSON((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableJSON(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of sortedKeys(record)) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${stableJSON(member)}`;
  }
  return `${out}}`;
}

/**
 * The object's keys in UTF-16 code-unit order, as `<` compares (keys are unique: the order is
 * total). An insertion sort for the few keys of a request's objects: `Array.prototype.sort`
 * allocated about 450 bytes per call for its work state, more than the keys themselves.
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}
