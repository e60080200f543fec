/** Progress as text: a bar that fits the terminal's width, or a plain line for logs. */
import { formatCount, formatDuration, formatRate, formatUsd } from '../../format/index.js';
import type { ProgressSnapshot } from './tracker.js';

function counts(s: ProgressSnapshot): string {
  return s.total === undefined ? formatCount(s.done) : `${formatCount(s.done)}/${formatCount(s.total)}`;
}

function extras(s: ProgressSnapshot): string[] {
  return [
    `429s ${formatCount(s.rateLimited)}`,
    `retries ${formatCount(s.retries)}`,
    `failed ${formatCount(s.failed)}`,
    formatUsd(s.costUsd),
  ];
}

/** Pieces of the bar in display order, with the rank in which they give way to a narrow terminal. */
function barPieces(s: ProgressSnapshot, fraction: number | undefined): Array<[text: string, keep: number]> {
  return [
    [counts(s) + (fraction === undefined ? '' : ` ${Math.floor(fraction * 100)}%`), 0],
    [formatRate(s.rpm, s.rpmLimit, 'rpm'), 2],
    [formatRate(s.tpm, s.tpmLimit, 'tpm', true), 6],
    [s.etaMs === undefined ? formatDuration(s.elapsedMs) : `ETA ${formatDuration(s.etaMs)}`, 1],
    [`429s ${formatCount(s.rateLimited)}`, 5],
    [`retries ${formatCount(s.retries)}`, 7],
    [`failed ${formatCount(s.failed)}`, 3],
    [formatUsd(s.costUsd), 4],
  ];
}

const BAR = 12;

/** One line for a terminal, redrawn in place; the least needed pieces go first to fit `width`. */
export function renderBar(s: ProgressSnapshot, width: number): string {
  const fraction = s.total ? Math.min(1, s.done / s.total) : undefined;
  let pieces = barPieces(s, fraction);
  const room = width - 1 - (fraction === undefined ? 0 : BAR + 3);
  const text = () => pieces.map(([t]) => t).join('  ');
  while (pieces.length > 1 && text().length > room) {
    const least = Math.max(...pieces.map(([, keep]) => keep));
    pieces = pieces.filter(([, keep]) => keep !== least);
  }
  if (fraction === undefined || text().length > room) return text().slice(0, Math.max(0, width - 1));
  const filled = Math.round(fraction * BAR);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${text()}`;
}

/** One self-contained line for a log or a CI console. */
export function renderLine(s: ProgressSnapshot): string {
  const percent = s.total ? ` (${((100 * s.done) / s.total).toFixed(1)}%)` : '';
  const eta = s.etaMs === undefined ? '' : `, ETA ${formatDuration(s.etaMs)}`;
  return (
    `[${formatDuration(s.elapsedMs)}] ${counts(s)} done${percent}, ${formatCount(s.inFlight)} in flight, ` +
    `${formatRate(s.rpm, s.rpmLimit, 'rpm')}, ${formatRate(s.tpm, s.tpmLimit, 'tpm')}, ${extras(s).join(', ')}${eta}`
  );
}
