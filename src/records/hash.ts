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

/** JSON with object keys sorted and `undefined` members left out, as `JSON.stringify` leaves them. */
export function stableJSON(value: unknown): string {
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
