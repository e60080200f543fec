/**
 * One run: a fresh simulator with the scenario's configuration on a real port, one contender in a
 * child process against it, stopped at a hard time cap, and the figures the table shows.
 *
 * - successes / failures: items the contender counted as it went (for the article chain, an item is
 *   a whole article); a run stopped at its cap keeps the counts it had reached;
 * - makespan: from the start of the contender's work to its end, timed in the child (the cap for a
 *   stopped run);
 * - 429s: rate-limit answers the simulator sent (`stats().rateLimited`);
 * - duplicate paid calls: successes for a request that had already succeeded once
 *   (`stats().duplicateSuccesses`), each one paid for twice;
 * - throughput ratio: `(successes / makespan) / ceiling`, the ceiling being `ideal()` in
 *   `scenarios.ts`, items per second at the shortest makespan the configuration allows.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimulator } from '../src/simulator/handler.js';
import { listen } from '../src/simulator/listen.js';
import type { ChildMessage, ChildTask } from './child.js';
import { MODEL, type Scenario } from './scenarios.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunResult {
  readonly contender: string;
  readonly items: number;
  readonly ok: number;
  readonly failed: number;
  /** Stopped at the cap; `ok` and `failed` are what it had reached by then. */
  readonly capped: boolean;
  readonly makespanMs: number;
  readonly requests: number;
  readonly rateLimited: number;
  readonly duplicateSuccesses: number;
  readonly faults: number;
  readonly maxInFlight: number;
  readonly ratio: number;
  /** Set when the contender threw instead of finishing. */
  readonly error?: string;
}

/** A child running `bench/child.ts` through tsx, given its task and done loading what it needs. */
async function spawnChild(task: ChildTask): Promise<ChildProcess> {
  const child = fork(CHILD, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench child exited with ${code} before it was ready`)));
      child.once('message', (message: ChildMessage) =>
        message.type === 'ready' ? resolve() : reject(new Error(`bench child: ${JSON.stringify(message)}`)),
      );
      child.send(task);
    });
  } catch (error) {
    kill(child);
    throw error;
  }
  child.removeAllListeners();
  return child;
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

interface Outcome {
  readonly makespanMs: number;
  readonly capped: boolean;
  readonly error?: string;
}

export async function measure(
  scenario: Scenario,
  contenderId: string,
  ceilingPerSecond: number,
  capMs: number,
): Promise<RunResult> {
  const simulator = createSimulator({ ...scenario.sim, models: [] });
  const server = await listen(simulator);
  let child: ChildProcess | undefined;
  let ok = 0;
  let failed = 0;
  try {
    let outcome: Outcome;
    try {
      child = await spawnChild({
        kind: 'contender',
        id: contenderId,
        ctx: {
          baseURL: server.url,
          model: MODEL,
          prompts: scenario.prompts,
          article: scenario.article,
          limits: { rpm: scenario.sim.rpm, tpm: scenario.sim.tpm },
          latencyMs: scenario.sim.latencyMedianMs,
          timeoutMs: scenario.timeoutMs,
        },
      });
    } catch (error) {
      child = undefined;
      outcome = { makespanMs: 0, capped: false, error: `did not start: ${(error as Error).message}` };
    }
    const running = child;
    if (running) {
      outcome = await new Promise<Outcome>((resolve) => {
        const started = performance.now();
        const cap = setTimeout(() => resolve({ makespanMs: capMs, capped: true }), capMs);
        const end = (result: Outcome) => {
          clearTimeout(cap);
          resolve(result);
        };
        running.on('message', (message: ChildMessage) => {
          if (message.type === 'progress') ({ ok, failed } = message);
          else if (message.type === 'done') {
            ({ ok, failed } = message);
            end({ makespanMs: message.makespanMs, capped: false });
          } else if (message.type === 'error') {
            end({ makespanMs: performance.now() - started, capped: false, error: message.message });
          }
        });
        running.once('exit', (code, signal) =>
          end({
            makespanMs: performance.now() - started,
            capped: false,
            error: `child exited (${signal ?? code}) before it finished`,
          }),
        );
        running.send('start');
      });
      kill(running);
    }
    const stats = simulator.stats();
    const result = outcome!;
    return {
      contender: contenderId,
      items: scenario.prompts.length,
      ok,
      failed,
      capped: result.capped,
      makespanMs: result.makespanMs,
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      duplicateSuccesses: stats.duplicateSuccesses,
      faults: stats.faults.total,
      maxInFlight: stats.maxInFlight,
      ratio: result.makespanMs > 0 ? ok / (result.makespanMs / 1000) / ceilingPerSecond : 0,
      ...(result.error === undefined ? {} : { error: result.error }),
    };
  } finally {
    if (child) kill(child);
    await server.close();
  }
}

/** The scheduler's calls per second through the zero-latency echo provider, in a fresh process. */
export async function measureScheduler(
  calls: number,
): Promise<{ calls: number; ms: number; perSecond: number }> {
  const child = await spawnChild({ kind: 'scheduler', calls });
  try {
    return await new Promise((resolve, reject) => {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'scheduler')
          resolve({ calls: message.calls, ms: message.ms, perSecond: message.perSecond });
        else if (message.type === 'error') reject(new Error(message.message));
      });
      child.once('exit', (code) => reject(new Error(`scheduler child exited with ${code}`)));
      child.send('start');
    });
  } finally {
    kill(child);
  }
}

/**
 * Peak RSS of a batch of `lines` prompts through `runBatch` with the echo provider, measured in a
 * child process of its own (`process.resourceUsage().maxRSS`), so the figure is the batch's alone.
 */
export async function measureMemory(lines: number): Promise<{
  lines: number;
  peakRssMB: number;
  ms: number;
  linesPerSecond: number;
}> {
  // Loaded here, not at the top: a batch module that does not load costs only this figure.
  const { scratchInput } = await import('./memory.js');
  const scratch = await scratchInput(lines);
  try {
    const child = await spawnChild({ kind: 'memory', input: scratch.input, out: scratch.out });
    try {
      const result = await new Promise<{ lines: number; ms: number; maxRssKB: number }>((resolve, reject) => {
        child.on('message', (message: ChildMessage) => {
          if (message.type === 'memory') resolve(message);
          else if (message.type === 'error') reject(new Error(message.message));
        });
        child.once('exit', (code) => reject(new Error(`memory child exited with ${code}`)));
        child.send('start');
      });
      return {
        lines: result.lines,
        peakRssMB: result.maxRssKB / 1024,
        ms: result.ms,
        linesPerSecond: (result.lines / result.ms) * 1000,
      };
    } finally {
      kill(child);
    }
  } finally {
    await scratch.cleanup();
  }
}
