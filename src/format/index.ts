/** How the project writes numbers for a person: one function per kind, used by every command. */
export { formatDuration } from './duration.js';
export { formatCount, formatPercent, formatUsd } from './number.js';
export { formatRate, perMinute, RATE_WINDOW_MS } from './rate.js';
