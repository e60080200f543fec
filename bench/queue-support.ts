/** What the queue benches share: a redis-server, worker-host processes, a simulator that logs admissions. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CallJobData } from '../src/queue/protocol.js';
import { callJobId } from '../src/queue/protocol.js';
import { createSimulator, type Simulator } from '../src/simulator/handler.js';
import { listen } from '../src/simulator/listen.js';
import type { SimulatorOptions } from '../src/simulator/options.js';

export interface Host {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** The last `stats` line it printed. */
  last: { answered: number; inHand: number; rateLimited: number };
  readonly exited: Promise<void>;
}

/** `nice`: a lower CPU priority for the host (`nice -n`, which execs in place: same pid). */
export function spawnHost(args: Record<string, string | number>, nice?: number): Host {
  const flags = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  // HOST_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles each host (NODE_OPTIONS refuses --cpu-prof).
  const extra = process.env['HOST_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const node = [process.execPath, ...extra, '--import', 'tsx', 'bench/queue-worker-host.ts', ...flags];
  const command = nice === undefined ? node : ['nice', '-n', String(nice), ...node];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const host: Host = {
    child,
    last: { answered: 0, inHand: 0, rateLimited: 0 },
    ready: new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker host exited early (${code})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'ready') resolve();
        if (line.startsWith('stats ')) host.last = JSON.parse(line.slice(6));
      });
    }),
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  host.ready.catch(() => {});
  return host;
}

/** One admitted (200) answer: when its request arrived and the tokens the server charged. */
export interface Admission {
  readonly at: number;
  readonly tokens: number;
}

/** A simulator over HTTP that records each answered request's arrival time and tokens. */
export async function loggingSimulator(options: SimulatorOptions) {
  const simulator: Simulator = createSimulator({ models: [], ...options });
  const admissions: Admission[] = [];
  const server = await listen({
    async handle(request) {
      const at = performance.now();
      const response = await simulator.handle(request);
      if (response.status === 200) {
        const body = (await response.clone().json()) as { usage?: { total_tokens?: number } };
        admissions.push({ at, tokens: body.usage?.total_tokens ?? 0 });
      }
      return response;
    },
  });
  return { simulator, server, admissions };
}

export function callJobs(run: string, n: number, prompt: (i: number) => string) {
  return Array.from({ length: n }, (_, i) => {
    const key = `line-${i + 1}`;
    const data: CallJobData = { v: 1, run, key, request: { prompt: prompt(i), model: 'gpt-4o-mini' } };
    return { id: callJobId(run, `h${i}`, key), data };
  });
}

export function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
