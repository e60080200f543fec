/**
 * One cache file: the answer's body as the provider returned it, read again with the provider's
 * `readBody` on a hit (so a hit means exactly what the call meant), and when it was stored.
 */

export interface CacheEntry {
  /** The file format's version. */
  readonly v: 1;
  /** The key the file is named by, checked on read: a file moved or copied by hand is no hit. */
  readonly key: string;
  /** When the answer was stored (ms, the client's clock: epoch time with the system clock). */
  readonly created_at: number;
  /** The model that answered, for a body that names none. */
  readonly model: string;
  readonly request_id: string | null;
  /** The response body (for a stream, the body the non-streaming call would have sent). */
  readonly body: unknown;
}

/** What a successful call leaves in the cache. */
export interface CacheAnswer {
  readonly body: unknown;
  readonly model: string;
  readonly requestID?: string | undefined;
}

/** The entry in `text`, or undefined when it is not one for `key` (damaged, truncated, another format). */
export function parseEntry(text: string, key: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<CacheEntry>;
  if (entry.v !== 1 || entry.key !== key || typeof entry.created_at !== 'number') return undefined;
  if (typeof entry.model !== 'string' || entry.body === undefined) return undefined;
  return entry as CacheEntry;
}

export function entryText(key: string, answer: CacheAnswer, createdAt: number): string {
  const entry: CacheEntry = {
    v: 1,
    key,
    created_at: createdAt,
    model: answer.model,
    request_id: answer.requestID ?? null,
    body: answer.body,
  };
  return `${JSON.stringify(entry)}\n`;
}
