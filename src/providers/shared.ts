/**
 * Small helpers shared by the providers: option checking, environment reading, secret
 * redaction and lane fingerprints. Not part of the public API.
 */
import { createHash } from 'node:crypto';
import { AbortError, VolleyError } from '../errors.js';

/** The environment a provider reads its defaults from (`process.env` unless injected). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A `fetch`-compatible function, such as the global one or an in-process simulator's. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

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

/**
 * Checks that `options` is undefined or a plain object whose keys are all in `known`, and
 * returns it as a record. Throws a `TypeError` that names the offending key otherwise.
 */
export function checkOptionKeys(
  fn: string,
  options: unknown,
  known: readonly string[],
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (!isRecord(options)) {
    throw new TypeError(`${fn}: options must be an object, got ${describeType(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((name) => name.toLowerCase() === key.toLowerCase());
    const hint = near === undefined ? `Known options: ${known.join(', ')}.` : `Did you mean "${near}"?`;
    throw new TypeError(`${fn}: unknown option "${key}". ${hint}`);
  }
  return options;
}

/** An optional non-empty string option; `undefined` when absent. */
export function stringOption(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    const got = typeof value === 'string' ? 'an empty string' : describeType(value);
    throw new TypeError(`${fn}: option "${name}" must be a non-empty string, got ${got}.`);
  }
  return value.trim();
}

/** An optional http(s) URL option, returned as given (trimmed). */
export function urlOption(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new TypeError(
      `${fn}: option "${name}" must be a URL string such as "http://localhost:8000/v1", got ${describeType(value)}.`,
    );
  }
  return checkURL(`${fn}: option "${name}"`, value);
}

/** Validates an http(s) URL from an option or the environment; `what` names its source. */
export function checkURL(what: string, value: string): string {
  const trimmed = value.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError(`${what} must be an http(s) URL such as "http://localhost:8000/v1".`);
  }
  return trimmed;
}

export function functionOption<T>(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
): T | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new TypeError(`${fn}: option "${name}" must be a function, got ${describeType(value)}.`);
  }
  return value as T;
}

export function headersOption(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
): Readonly<Record<string, string>> | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    throw new TypeError(
      `${fn}: option "${name}" must be an object of header names to strings, got ${describeType(value)}.`,
    );
  }
  for (const [header, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string') {
      throw new TypeError(
        `${fn}: option "${name}" header "${header}" must be a string, got ${describeType(headerValue)}.`,
      );
    }
  }
  return value as Readonly<Record<string, string>>;
}

export function envOption(fn: string, options: Readonly<Record<string, unknown>>): Env {
  const value = options['env'];
  if (value === undefined) return process.env;
  if (!isRecord(value)) {
    throw new TypeError(
      `${fn}: option "env" must be an object such as process.env, got ${describeType(value)}.`,
    );
  }
  return value as Env;
}

/** Reads an environment variable the way the SDKs do: trimmed, with empty meaning unset. */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** First 8 hex characters of sha256(secret): tells accounts apart without revealing the key. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 8);
}

/** A base URL fit for an id or a message: no user info, no trailing slashes. */
export function displayURL(url: string): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = '';
      parsed.password = '';
      shown = parsed.toString();
    }
  } catch {
    // Not a URL; shown as given.
  }
  let end = shown.length;
  while (end > 0 && shown[end - 1] === '/') end--;
  return shown.slice(0, end);
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

/** Copies a fetch-style headers value into a `Headers`, if it is one. */
export function toHeaders(value: unknown): Headers | undefined {
  if (value instanceof Headers) return value;
  if (value === null || typeof value !== 'object') return undefined;
  try {
    const entries =
      typeof (value as { entries?: unknown }).entries === 'function'
        ? [...(value as { entries(): Iterable<[string, string]> }).entries()]
        : Object.entries(value as Record<string, unknown>).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          );
    return new Headers(entries);
  } catch {
    return undefined;
  }
}

/**
 * What a provider throws once its `signal` has aborted: the signal's reason when it is already a
 * `VolleyError` (a scheduler's timeout or deadline), otherwise an `AbortError` wrapping it.
 */
export function abortReason(signal: AbortSignal): VolleyError {
  const reason: unknown = signal.reason;
  if (reason instanceof VolleyError) return reason;
  return new AbortError(undefined, reason === undefined ? {} : { cause: reason });
}
