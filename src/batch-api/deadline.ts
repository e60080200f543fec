/**
 * Auto mode's deadline is the run's, not the invocation's: the first invocation journals when the
 * run started, so a rerun after a kill or a Ctrl-C keeps the time it was given instead of
 * starting the clock again. A duration counts from that first start; a clock time is itself.
 */
import type { ExecutorContext } from '../run/types.js';
import { type BatchEntry, Ledger } from './entries.js';

/** `{ afterMs }`: that long after the run first started. `{ at }`: a clock time (epoch ms). */
export type FinishBy = { readonly afterMs: number } | { readonly at: number };

export async function runDeadline(
  context: ExecutorContext,
  finishBy: FinishBy,
): Promise<{ readonly started: number; readonly deadline: number }> {
  const stored = new Ledger(context.journal.entries).auto;
  const started = stored?.started ?? context.clock.now();
  const deadline = 'at' in finishBy ? finishBy.at : started + finishBy.afterMs;
  // Journaled before any batch is planned; again only when a rerun was given another time.
  if (stored?.deadline !== deadline) {
    const entry: BatchEntry = { b: 'auto', started, deadline };
    await context.journal.note(entry);
  }
  return { started, deadline };
}
