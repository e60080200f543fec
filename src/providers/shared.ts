/**
 * Small helpers shared by the providers: secret redaction, key fingerprints, URLs fit to show,
 * and reading loosely typed values. Not part of the public API.
 */
import { createHash } from 'node:crypto';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names a value's type for an error message without ever echoing the value (it may be a key). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** First 8 hex characters of sha256(secret): tells accounts apart without revealing the key. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 8);
}

/** A base URL fit for an id or a message: no user info, no trailing slashes. */
export function displayURL(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || (parsed.username === '' && parsed.password === ''))
    return url.replace(/\/+$/, '');
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * Anything shaped like a provider API key (`sk-...`, `sk-proj-...`, `gsk_...`, or the SDK's
 * partially masked `sk-abc***...wxyz`), and bearer tokens.
 */
const KEY_LIKE = /\b(?:sk|gsk|xai|pplx)[-_][A-Za-z0-9_*~-]{3,}(?:\.+[A-Za-z0-9_*~-]+)*/g;
const BEARER = /\bBearer\s+[^\s"',;]+/gi;

/** Shortest secret that is redacted verbatim; shorter strings would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** Removes key-like tokens and every configured secret from `text`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join('***');
  }
  return out.replace(KEY_LIKE, (match) => `${match.slice(0, 3)}***`).replace(BEARER, 'Bearer ***');
}

/** Shortens a server's message for quoting: redacted, one line, at most `max` characters. */
export function quote(text: string, secrets: readonly string[], max = 300): string {
  const oneLine = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** A fetch-style headers value (an SDK error's, say) as `Headers`, if it is one. */
export function toHeaders(value: unknown): Headers | undefined {
  if (value instanceof Headers || !isRecord(value)) return value instanceof Headers ? value : undefined;
  const iterable = typeof value['entries'] === 'function' ? (value as unknown as Headers) : undefined;
  const entries = iterable ? [...iterable.entries()] : Object.entries(value);
  return new Headers(entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** `value` when it is a non-empty string. */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `value` when it is a finite count of at least 0 (a token count in a usage block). */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
