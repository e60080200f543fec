/**
 * What the live bar and `volley status` show of the batches under way: how many are in each
 * state, the requests they have done, and how far the oldest is into its 24-hour window.
 */
import { formatDuration } from '../format/index.js';
import type { ExecutorStatus } from '../run/types.js';
import type { ChunkRun } from './chunk-run.js';

export function batchStatus(chunks: readonly ChunkRun[], now: number): ExecutorStatus {
  const states = new Map<string, number>();
  let total = 0;
  let done = 0;
  let failed = 0;
  let oldest = now;
  for (const chunk of chunks) {
    const state = chunk.view?.status ?? (chunk.created ? 'created' : chunk.file ? 'uploaded' : 'planned');
    states.set(state, (states.get(state) ?? 0) + 1);
    total += chunk.view?.counts.total ?? chunk.members.size;
    done += chunk.view?.counts.done ?? 0;
    failed += chunk.view?.counts.failed ?? 0;
    if (chunk.created) oldest = Math.min(oldest, chunk.startedAt);
  }
  if (chunks.length === 0) return { phase: 'batches', detail: 'no batch open' };
  const byState = [...states].map(([state, n]) => `${n} ${state}`).join(', ');
  const window = oldest < now ? `; ${formatDuration(now - oldest)} into the 24h window` : '';
  return {
    phase: 'batches',
    detail: `${chunks.length} batch${chunks.length === 1 ? '' : 'es'} (${byState}): ${done}/${total} requests done, ${failed} failed${window}`,
    counts: { batches: chunks.length, requests: total, done, failed, ...Object.fromEntries(states) },
  };
}
