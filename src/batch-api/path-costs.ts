/** What each path of an auto run cost, and what realtime alone would have cost for the same answers. */
import { formatCount, formatDuration, formatUsd } from '../format/index.js';
import type { RunRecord } from '../records/types.js';
import type { Prices } from '../run/types.js';

export class PathCosts {
  readonly lines = { batch: 0, realtime: 0 };
  readonly usd = { batch: 0, realtime: 0 };
  /** The same answers at the realtime price. */
  realtimeAlone = 0;

  constructor(private readonly pricing: Prices) {}

  add(path: 'batch' | 'realtime', record: RunRecord): void {
    this.lines[path]++;
    this.usd[path] += record.cost_usd ?? 0;
    const { usage, model } = record;
    const alone =
      usage && model
        ? this.pricing.cost(
            model,
            { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
            'realtime',
          )
        : undefined;
    this.realtimeAlone += alone ?? record.cost_usd ?? 0;
  }

  describe(elapsedMs: number, switchedAtMs: number | undefined, deadlineMs: number): string {
    const { lines, usd } = this;
    const switched =
      switchedAtMs === undefined
        ? 'no switch to realtime'
        : `switched to realtime after ${formatDuration(switchedAtMs)}`;
    const met = elapsedMs <= deadlineMs ? 'deadline met' : 'deadline missed';
    return (
      `batch ${formatCount(lines.batch)} lines ${formatUsd(usd.batch)}, realtime ${formatCount(lines.realtime)} lines ` +
      `${formatUsd(usd.realtime)}; realtime alone ${formatUsd(this.realtimeAlone)}; ${switched}; ` +
      `${met} (${formatDuration(elapsedMs)} of ${formatDuration(deadlineMs)})`
    );
  }
}
