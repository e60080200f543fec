/** Moved to `src/format`; this re-export stays until the batch files import from there. */
export { formatCount, formatDuration, formatUsd } from '../format/index.js';
