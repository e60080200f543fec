/**
 * Reading the `x-ratelimit-*` headers OpenAI-compatible servers send on every answer. The limits
 * are per minute; reset times are durations such as `20ms`, `1s`, `1.5s`, `6m0s` or `1h2m3s`.
 */

export interface RateLimitHeaders {
  readonly limitRequests?: number;
  readonly limitTokens?: number;
  readonly remainingRequests?: number;
  readonly remainingTokens?: number;
  /** Time until the request budget is fully restored (ms). */
  readonly resetRequestsMs?: number;
  /** Time until the token budget is fully restored (ms). */
  readonly resetTokensMs?: number;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};
const PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;

/** Parses a Go-style duration (`6m0s`, `20ms`) or a bare number of seconds; undefined if unreadable. */
export function parseDuration(text: string | null | undefined): number | undefined {
  if (text == null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/**
 * Writes a duration the way OpenAI writes `x-ratelimit-reset-*` (Go's `time.Duration` format): `20ms`, `1s`,
 * `1.5s`, `6m0s`, `1h2m3s`. Rounded up to a whole millisecond so that waiting that long is enough.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms - 1e-9));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  // Whole milliseconds over 1000 print as the shortest exact decimal (1.5, 12.345), as Go does.
  const seconds = `${(total % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

export function readRateLimitHeaders(headers: Headers): RateLimitHeaders {
  return {
    ...numberField('limitRequests', headers.get('x-ratelimit-limit-requests')),
    ...numberField('limitTokens', headers.get('x-ratelimit-limit-tokens')),
    ...numberField('remainingRequests', headers.get('x-ratelimit-remaining-requests')),
    ...numberField('remainingTokens', headers.get('x-ratelimit-remaining-tokens')),
    ...durationField('resetRequestsMs', headers.get('x-ratelimit-reset-requests')),
    ...durationField('resetTokensMs', headers.get('x-ratelimit-reset-tokens')),
  };
}

function numberField<K extends string>(key: K, text: string | null): { [P in K]?: number } {
  const value = text === null ? Number.NaN : Number(text.trim());
  return (Number.isFinite(value) && value >= 0 ? { [key]: value } : {}) as { [P in K]?: number };
}

function durationField<K extends string>(key: K, text: string | null): { [P in K]?: number } {
  const value = parseDuration(text);
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
