/**
 * One way to write a duration for a person, everywhere: the summary, the live bar, `volley status`,
 * the report's tables and its time axes. Units shrink as the value grows and trailing zero parts
 * are dropped, so a round axis tick reads `2m` and a measured time `4m 05s`.
 */

/** `340 ms`, `2.9 s`, `58 s`, `4m 05s`, `2m`, `2h 03m`, `1h`; `–` for a value that is not a number. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const t = Math.max(0, ms);
  if (Math.round(t) < 1000) return `${Math.round(t)} ms`;
  const tenths = Math.round(t / 100) / 10;
  if (tenths < 60) return `${trimZero(tenths.toFixed(1))} s`;
  const seconds = Math.round(t / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return withPart(`${minutes}m`, seconds % 60, 's');
  // Past an hour the seconds are noise: whole minutes.
  const wholeMinutes = Math.round(t / 60_000);
  return withPart(`${Math.floor(wholeMinutes / 60)}h`, wholeMinutes % 60, 'm');
}

function withPart(head: string, rest: number, unit: string): string {
  return rest === 0 ? head : `${head} ${String(rest).padStart(2, '0')}${unit}`;
}

/** `2.0` → `2`, `2.50` → `2.5`. */
export function trimZero(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
