/**
 * `volley status` for a Batch API or auto run: each remote batch as the lifecycle journal last saw
 * it (planned, uploaded, submitted, then the provider's own state: validating, in_progress,
 * completed, expired, ...; merged once its answers are in the output), its requests done and
 * failed, and how far it is into its 24-hour window; for auto mode, the run's deadline. Read from
 * the journal alone, so it works while the run is away (`--detach`) or after a kill.
 */
import { formatCount, formatDuration } from '../format/index.js';
import { Ledger } from './entries.js';

export interface BatchView {
  /** The journal's name for it (`<run>-<n>`), and the provider's batch id once it was created. */
  readonly chunk: string;
  readonly batch: string | undefined;
  readonly state: string;
  readonly model: string;
  readonly requests: number;
  readonly done: number;
  readonly failed: number;
  /** Clock time it was planned (epoch ms). */
  readonly plannedAt: number;
}

export interface BatchJournalView {
  readonly batches: readonly BatchView[];
  /** Auto mode: when the run started and must be done by (epoch ms). */
  readonly finishBy: { readonly started: number; readonly deadline: number } | undefined;
}

/** The batches in an executor's journal entries; none for entries of another executor. */
export function batchJournalView(entries: readonly unknown[]): BatchJournalView {
  const ledger = new Ledger(entries);
  const batches: BatchView[] = [];
  for (const chunk of ledger.chunks.values()) {
    if (chunk.dropped) continue;
    const [requests, done, failed] = chunk.counts ?? [chunk.keys.length, 0, 0];
    const before = chunk.batch ? 'submitted' : chunk.file ? 'uploaded' : 'planned';
    const state = chunk.merged ? `${chunk.status ?? 'ended'}, merged` : (chunk.status ?? before);
    const { id, batch, model, at } = chunk;
    batches.push({ chunk: id, batch, state, model, requests, done, failed, plannedAt: at });
  }
  return { batches, finishBy: ledger.auto };
}

export function formatBatchView(view: BatchJournalView, now: number): string {
  const lines: string[] = [];
  if (view.finishBy) {
    const { deadline } = view.finishBy;
    const left = deadline - now;
    const when = new Date(deadline)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC');
    lines.push(`finish by ${when} · ${left >= 0 ? `${formatDuration(left)} left` : 'passed'}`);
  }
  if (view.batches.length === 0) return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  const byState = new Map<string, number>();
  for (const b of view.batches) byState.set(b.state, (byState.get(b.state) ?? 0) + 1);
  const states = [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
  lines.push(`${'batches'.padEnd(9)} ${view.batches.length} (${states})`);
  for (const b of view.batches) {
    const window = b.state.includes('merged') ? '' : ` · planned ${formatDuration(now - b.plannedAt)} ago`;
    lines.push(
      `  ${b.batch ?? b.chunk} ${b.state}: ${formatCount(b.done)}/${formatCount(b.requests)} done, ${formatCount(b.failed)} failed · ${b.model}${window}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
