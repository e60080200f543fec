/** How the project writes numbers for a person: one function per kind, used by every command. */
export { formatDuration, trimZero } from './duration.js';
export { formatCount, formatPercent, formatUsd } from './number.js';
export { BURST_MS, formatRate, perMinute, RATE_WINDOW_MS } from './rate.js';
