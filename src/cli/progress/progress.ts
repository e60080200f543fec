/**
 * The live progress of a run on stderr: a bar redrawn in place on a terminal, plain lines every
 * few seconds otherwise (CI, pipes), nothing with `--quiet`.
 */

import type { Volley } from '../../client/volley.js';
import type { RecordTally } from '../../records/tally.js';
import type { ExecutorStatus } from '../../run/types.js';
import type { CliIO } from '../io.js';

export interface ProgressOptions {
  readonly quiet?: boolean | undefined;
  /** @default 200 ms on a terminal, 10 s otherwise */
  readonly intervalMs?: number | undefined;
}

export interface Progress {
  /** Starts showing a run's live tally. */
  attach(stats: RecordTally): void;
  /** The executor's own state (a provider batch's), shown after the numbers. */
  status(update: ExecutorStatus): void;
  /** Draws a last time and clears the bar; safe to call twice. */
  stop(): void;
}

const CLEAR_LINE = '\r\x1b[2K';

export async function startProgress(
  io: CliIO,
  volley: Volley,
  options: ProgressOptions = {},
): Promise<Progress> {
  if (options.quiet) return { attach() {}, status() {}, stop() {} };
  // Loaded only to be shown: a quiet run sends its first request without them and the run
  // decoder they read the tally with (issue 9.5).
  const [{ renderBar, renderLine }, { ProgressTracker }] = await Promise.all([
    import('./render.js'),
    import('./tracker.js'),
  ]);
  const stream = io.stderr;
  const tty = stream.isTTY === true;
  const tracker = new ProgressTracker(volley, () => volley.options.clock.now());
  let attached = false;
  let detail = '';
  const draw = () => {
    if (!attached) return;
    const snapshot = tracker.snapshot();
    const width = stream.columns || 80;
    if (tty) stream.write(CLEAR_LINE + `${renderBar(snapshot, width)}${detail}`.slice(0, width - 1));
    else stream.write(`${renderLine(snapshot)}${detail}\n`);
  };
  const timer = setInterval(draw, options.intervalMs ?? (tty ? 200 : 10_000));
  timer.unref();
  let stopped = false;
  return {
    attach(stats) {
      tracker.attach(stats);
      attached = true;
      if (tty) draw();
    },
    status(update) {
      detail = update.detail ? `  ${update.detail}` : '';
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      tracker.dispose();
      if (tty && attached) stream.write(CLEAR_LINE);
      else if (attached) draw();
    },
  };
}
