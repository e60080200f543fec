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
