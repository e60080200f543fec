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
import type { Executor, ExecutorStatus } from '../../run/types.js';
import { createSimulator, type Simulator } from '../../simulator/handler.js';
import type { SimulatorOptions } from '../../simulator/options.js';
import { ManualClock } from '../../test-support/manual-clock.js';
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
  readonly onStatus?: (status: ExecutorStatus) => void;
  /** No journal: nothing waits for the disk, so the manual clock's times are the run's own. */
  readonly noJournal?: boolean;
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
        onStatus: more.onStatus,
        journal: more.noJournal ? false : undefined,
        graceMs: 0,
      });
      return drive(clock, summary, more.stepMs ?? 1_000, more.limitMs ?? 48 * HOUR);
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

/**
 * Moves the clock from one armed timer to the next until `promise` settles (at most `stepMs` at a
 * time), giving the event loop turns first so that the SDKs' requests (bodies, streams) finish at
 * the time they were made, however fast the machine is; and never while a file operation is under
 * way (a journal's write or fdatasync): an entry is durable at the time it was noted, as on a
 * machine whose disk keeps up, instead of hours later on the clock of a loaded one.
 */
async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs: number,
  limitMs: number,
): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  promise.then(mark, mark);
  const end = clock.now() + limitMs;
  while (!settled && clock.now() < end) {
    for (let turn = 0; (turn < 50 || fileBusy()) && !settled; turn++)
      await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    const next = clock.nextTimerAt;
    await clock.advance(next === undefined ? stepMs : Math.min(stepMs, Math.max(0, next - clock.now())));
  }
  return promise;
}

/** A file system request is pending in libuv (`FSReqCallback`, `FSReqPromise`). */
function fileBusy(): boolean {
  return process.getActiveResourcesInfo().some((resource) => resource.startsWith('FSReq'));
}
