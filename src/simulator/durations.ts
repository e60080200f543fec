/**
 * How the simulator writes times into its headers. Its own code, not the client's: the client's
 * parser (`src/wire`) is tested against this independent writer, so a bug shared by both cannot
 * pass every round trip.
 */

/**
 * Go's `time.Duration` format, as OpenAI writes `x-ratelimit-reset-*`: `20ms`, `1s`, `1.5s`,
 * `1m30.5s`, `6m0s`, `1h2m3s`. Rounded up to a whole millisecond so that waiting that long is enough.
 */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms - 1e-9));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor(whole / 60_000) % 60;
  // Whole milliseconds over a second print as the shortest exact decimal (1.5, 12.345), as Go does.
  const s = `${(whole % 60_000) / 1000}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

/** `retry-after-ms`: the wait rounded up to a whole millisecond, so waiting that long is enough. */
export function retryAfterMs(waitMs: number): number {
  // The small offset keeps floating-point noise (750.0000000001) from adding a whole millisecond.
  return Math.max(1, Math.ceil(waitMs - 1e-9));
}

/** `retry-after`: whole seconds, rounded up, at least 1 (the header cannot say "less than a second"). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs(waitMs) / 1000));
}
