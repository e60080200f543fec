/**
 * One measurement in a process of its own, driven by `measure.ts` over IPC: a contender against the
 * simulator (its heap, timers and sockets are its own, and a run over its cap is simply killed), or
 * the scheduler's in-process throughput, or a batch's peak memory.
 */
import { findContender } from './contenders/index.js';
import type { Contender, ContenderContext } from './contenders/types.js';

export type ChildTask =
  | { readonly kind: 'contender'; readonly id: string; readonly ctx: Omit<ContenderContext, 'record'> }
  | { readonly kind: 'scheduler'; readonly calls: number }
  | { readonly kind: 'memory'; readonly input: string; readonly out: string };

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly ok: number; readonly failed: number }
  | { readonly type: 'done'; readonly ok: number; readonly failed: number; readonly makespanMs: number }
  | { readonly type: 'scheduler'; readonly calls: number; readonly ms: number; readonly perSecond: number }
  | { readonly type: 'memory'; readonly lines: number; readonly ms: number; readonly maxRssKB: number }
  | { readonly type: 'error'; readonly message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Loads what the task needs before saying it is ready, so that no import is timed. */
async function prepare(task: ChildTask): Promise<() => Promise<void>> {
  if (task.kind === 'scheduler') {
    const { schedulerThroughput } = await import('./core.js');
    return async () => {
      // The best of three: on a shared machine the slower repetitions measure the neighbours.
      let best: { calls: number; ms: number; perSecond: number } | undefined;
      for (let i = 0; i < 3; i++) {
        const run = await schedulerThroughput(task.calls);
        if (!best || run.perSecond > best.perSecond) best = run;
      }
      send({ type: 'scheduler', ...best! });
    };
  }
  if (task.kind === 'memory') {
    const { batchMemory } = await import('./memory.js');
    return async () => send({ type: 'memory', ...(await batchMemory(task.input, task.out)) });
  }
  const run = await findContender(task.id).load();
  return () => runContender(run, task.ctx);
}

async function runContender(run: Contender, ctx: Omit<ContenderContext, 'record'>): Promise<void> {
  let ok = 0;
  let failed = 0;
  const record = (success: boolean) => {
    if (success) ok++;
    else failed++;
    send({ type: 'progress', ok, failed });
  };
  const started = performance.now();
  const tally = await run({ ...ctx, record });
  send({ type: 'done', ok: tally.ok, failed: tally.failed, makespanMs: performance.now() - started });
}

function fail(error: unknown): void {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

// The parent sends the task, waits for `ready` (everything loaded), then says `start`.
process.once('message', (task: ChildTask) => {
  prepare(task).then((perform) => {
    process.once('message', () => perform().catch(fail));
    send({ type: 'ready' });
  }, fail);
});
