/**
 * Rates per minute, computed and written one way for the live bar, `volley status`, the summary
 * and the report, so that none of them reads above the limit the lanes kept to.
 *
 * A lane's rate budget is a token bucket that holds at most one second of its rate (the burst), so
 * over any span of `w` ms it sends at most `limit × (w + 1 s) / 1 min`. Dividing what was counted
 * by the span plus that second keeps every reading at or under the limit in force, a full burst at
 * the start included; in steady state it reads `w / (w + 1 s)` of the true rate (98% over a minute).
 */
import { formatCount } from './number.js';

/** The most a lane's budget lets through at once: one second of its rate. */
const BURST_MS = 1000;

/** The window the live figures are taken over: "per minute" over the last minute. */
export const RATE_WINDOW_MS = 60_000;

/** `count` events over `spanMs`, per minute, with the burst allowance; 0 for an empty span. */
export function perMinute(count: number, spanMs: number): number {
  if (!(count > 0) || !(spanMs >= 0)) return 0;
  return (count * 60_000) / (spanMs + BURST_MS);
}

/** `5,980/6,000 rpm`, or `5,980 rpm` when the limit is unknown; `compact` writes `1.2M/2M tpm`. */
export function formatRate(value: number, limit: number | undefined, unit: string, compact = false): string {
  const show = (n: number) => formatCount(n, compact);
  return limit === undefined ? `${show(value)} ${unit}` : `${show(value)}/${show(limit)} ${unit}`;
}
