/** Counts, percentages and money the way a person reads them. */
import { trimZero } from './duration.js';

/** `1,234`; with `compact`, `12.3k` and `4.56M` from ten thousand up; `2.5` for a small fraction. */
export function formatCount(n: number, compact = false): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (compact && abs >= 1e6) return `${trimZero((n / 1e6).toFixed(abs >= 1e7 ? 1 : 2))}M`;
  if (compact && abs >= 1e4) return `${trimZero((n / 1e3).toFixed(abs >= 1e5 ? 0 : 1))}k`;
  if (abs < 10 && !Number.isInteger(n)) return trimZero(n.toFixed(1));
  const whole = Math.round(n);
  return whole < 0 ? `-${grouped(-whole)}` : grouped(whole);
}

/**
 * A whole number with a comma every three digits, by hand: the first `toLocaleString` of a process
 * loads ICU's locale data, which took 140 ms at the end of every run and on the first progress line.
 */
function grouped(whole: number | bigint): string {
  return BigInt(whole)
    .toString()
    .replace(/\B(?=(\d{3})+$)/g, ',');
}

/** `42.1%` of `share` (0 to 1, or above); `digits` after the point. */
export function formatPercent(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(digits)}%`;
}

/**
 * US dollars as a person reads them: cents from a cent up (`$0.47`, `$12.34`, `$1,234.56`), two
 * significant digits under a cent (`$0.0042`, `$0.00012`), and `<$0.0001` below that, where the
 * digits would only be the price table's rounding.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  if (usd < 0) return `-${formatUsd(-usd)}`;
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 0.01) return `$${trimZero(usd.toPrecision(2))}`;
  // Rounded half up on the shortest decimal that reads back as `usd` (`1.005` is `$1.01`, and
  // `166.98499999999999` is `$166.98`), as `toLocaleString` rounds. Below 1e21 it has no exponent.
  const [whole = '0', fraction = ''] = String(usd).split('.');
  const cents = BigInt(whole + `${fraction}00`.slice(0, 2)) + (fraction.charAt(2) >= '5' ? 1n : 0n);
  return `$${grouped(cents / 100n)}.${String(cents % 100n).padStart(2, '0')}`;
}
