/**
 * Durations as servers write them in rate-limit headers: Go's `time.Duration` format (`20ms`, `1s`,
 * `1.5s`, `1m30.5s`, `6m0s`, `1h2m3s`) as OpenAI sends it, plain seconds (`2`, `0.5`), and RFC 3339
 * timestamps (`2025-06-01T12:00:40Z`) as Anthropic sends its resets, read relative to `now`.
 */

const UNIT_MS: Record<string, number> = {
  // Not Go's, but how people write a cache's age (`--cache-max-age 7d`).
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};
const PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|d|h|m|s)/g;
const PLAIN_SECONDS = /^\d+(?:\.\d+)?$/;
// A date, a `T` or space, a time: enough to tell a timestamp from a duration before parsing it.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/**
 * Milliseconds a duration or a timestamp stands for, or undefined when it is unreadable. A
 * timestamp gives the time from `nowEpochMs` until it (never negative).
 */
export function parseDuration(
  text: string | null | undefined,
  nowEpochMs: number = Date.now(),
): number | undefined {
  if (text == null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (PLAIN_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  if (TIMESTAMP.test(trimmed)) {
    const at = Date.parse(trimmed);
    return Number.isFinite(at) ? Math.max(0, at - nowEpochMs) : undefined;
  }
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/**
 * Writes a duration in Go's `time.Duration` format, as OpenAI writes `x-ratelimit-reset-*`, rounded
 * up to a whole millisecond so that waiting that long is enough. For client code that turns
 * another server's headers into OpenAI's (the simulator has its own writer).
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms - 1e-9));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = `${(total % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
