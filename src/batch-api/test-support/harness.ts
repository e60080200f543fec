/**
 * A Batch API run on the manual clock against the in-process simulator: the engine with the
 * `batch-api` executor over an OpenAI or Anthropic provider whose SDK fetches from the simulator.
 * `kill` makes one remote call take effect on the server and never answer, then stops the run at
 * once, as a kill -9 right after that call would leave the journal.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callsReader } from '../../batch/reader.js';
import { Pricing } from '../../pricing/index.js';
import { anthropic, openai } from '../../providers/index.js';
import type { Provider } from '../../providers/types.js';
import type { OutputRecord } from '../../records/types.js';
import { runEngine } from '../../run/engine.js';
import type { RunSummary } from '../../run/summary.js';
import type { Executor } from '../../run/types.js';
import { createSimulator, type Simulator } from '../../simulator/handler.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import { ManualClock, settleOn } from '../../test-support/manual-clock.js';
import { batchApiExecutor } from '../executor.js';
import type { BatchApiOptions } from '../options.js';

const EPOCH_MS = 1_750_000_000_000;
const HOUR = 3_600_000;

export interface Harness {
  readonly clock: ManualClock;
  readonly sim: Simulator;
  readonly provider: Provider;
  readonly dir: string;
  readonly out: string;
  readonly model: string;
  /** Requests the SDK sent, as `METHOD /path`. */
  readonly calls: string[];
  /** The next request matching `pattern` reaches the server, and its answer never comes back. */
  killAfter(pattern: RegExp): Promise<void>;
  executor(options?: Partial<BatchApiOptions>): Executor<never> & ReturnType<typeof batchApiExecutor>;
  run(lines: readonly string[], executor: Executor<never>, more?: RunMore): Promise<RunSummary>;
  records(): Promise<OutputRecord[]>;
}

interface RunMore {
  readonly hardSignal?: AbortSignal;
  readonly stepMs?: number;
  readonly limitMs?: number;
  readonly retryFailed?: boolean;
}

export async function harness(
  kind: 'openai' | 'anthropic',
  simulator: SimulatorOptions = {},
): Promise<Harness> {
  const clock = new ManualClock(EPOCH_MS);
  const sim = createSimulator({ clock, epochMs: EPOCH_MS, latencyMedianMs: 0, ...simulator });
  const calls: string[] = [];
  let kill: { pattern: RegExp; hit: () => void } | undefined;
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const call = `${request.method} ${new URL(request.url).pathname}`;
    calls.push(call);
    const answer = sim.fetch(request);
    if (kill?.pattern.test(call)) {
      const { hit } = kill;
      kill = undefined;
      await answer;
      hit();
      return new Promise<Response>(() => {});
    }
    return answer;
  };
  const model = kind === 'openai' ? 'gpt-4o-mini' : 'claude-sonnet-4-5';
  const provider =
    kind === 'openai'
      ? openai({ apiKey: 'test', baseURL: 'http://sim/v1', fetch, defaultModel: model })
      : anthropic({ apiKey: 'test', baseURL: 'http://sim', fetch, defaultModel: model });
  const dir = await mkdtemp(join(tmpdir(), 'volley-batch-api-'));
  const out = join(dir, 'out.jsonl');
  let killed: Promise<void> | undefined;
  return {
    clock,
    sim,
    provider,
    dir,
    out,
    model,
    calls,
    killAfter(pattern) {
      killed = new Promise<void>((hit) => {
        kill = { pattern, hit };
      });
      return killed;
    },
    executor: (options = {}) =>
      batchApiExecutor({ provider, model, pollMs: 60_000, random: () => 0.5, ...options }) as never,
    async run(lines, executor, more = {}) {
      const summary = runEngine({
        source: lines,
        reader: callsReader({ model }),
        executor,
        clock,
        out,
        pricing: new Pricing(),
        inFlight: 1_000_000,
        hardSignal: more.hardSignal,
        retryFailed: more.retryFailed,
        graceMs: 0,
      });
      return settleOn(clock, summary, { stepMs: more.stepMs ?? 1_000, limitMs: more.limitMs ?? 48 * HOUR });
    },
    async records() {
      return (await readFile(out, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as OutputRecord);
    },
  };
}

/** `n` prompts, each different, as input lines. */
export function prompts(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ custom_id: `q${i + 1}`, prompt: `question ${i + 1}` }),
  );
}
