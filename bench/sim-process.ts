/**
 * What the benches that drive the built command line share: `volley sim` in a process of its own
 * (its address, its `/stats`), and `volley run` as a child process that can be waited for or
 * killed with -9. Run after `npm run build`, from the repository root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const cli = join(process.cwd(), 'dist/cli/main.js');

/** Read once: the kill benches spawn the command many times. */
let nodeFlags: string[] | undefined;

/**
 * The node flags of the command's `#!/usr/bin/env -S node ...` line, which `node dist/cli/main.js`
 * alone would skip. Read from the source, which tsc copies to dist/ as it is, so that a bench on
 * sources compiled elsewhere (bench/million.ts) runs as an installed `volley` does.
 */
export function cliNodeFlags(): readonly string[] {
  nodeFlags ??= (() => {
    const shebang = readFileSync(join(process.cwd(), 'src/cli/main.ts'), 'utf8').split('\n', 1)[0]!;
    const flags = /^#!\S*env (?:-S )?node((?: --?\S+)*)$/.exec(shebang)?.[1]?.trim().split(' ') ?? [];
    return flags.filter(Boolean);
  })();
  return nodeFlags;
}

/** Node's arguments for `volley ...args` as an installed `volley` runs, with `cliNodeFlags()`. */
export function cliArgs(...args: readonly string[]): string[] {
  return [...cliNodeFlags(), cli, ...args];
}

/** The simulator's counters that the kill benches read (its `/stats` has more). */
export interface SimStats {
  readonly requests: number;
  readonly successes: number;
  readonly duplicateSuccesses: number;
  readonly aborted: number;
  readonly inFlight: number;
}

export interface SimProcess {
  readonly url: string;
  /** The simulator's counters; a kept-alive connection it has just closed is tried again. */
  stats<T = Record<string, unknown>>(): Promise<T>;
  close(): Promise<void>;
}

/** A server in a child process that prints `listening on URL` once it serves. */
export interface ListeningProcess {
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGINT) and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts `node ARGS`, a server that prints `listening on URL`, and resolves once it does. */
export async function spawnListening(
  args: readonly string[],
  stderr: 'ignore' | 'inherit',
): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', stderr] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node ${args.join(' ')} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(String(chunk));
      if (match) resolve(match[1]!);
    });
  });
  return {
    url,
    pid: child.pid!,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

export async function startSim(args: readonly string[]): Promise<SimProcess> {
  const { url, close } = await spawnListening(cliArgs('sim', '--port', '0', ...args), 'ignore');
  return {
    url,
    close,
    async stats<T>() {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await (await fetch(`${url}/stats`)).json()) as T;
        } catch (error) {
          if (attempt >= 5) throw error;
          await sleep(20);
        }
      }
    },
  };
}

export interface Invocation {
  readonly child: ChildProcess;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** `volley run ...args` in `cwd`, with a key that is no secret. */
export function volley(args: readonly string[], cwd: string, env: Record<string, string> = {}): Invocation {
  const child = spawn(process.execPath, cliArgs(...args), {
    cwd,
    env: { ...process.env, OPENAI_API_KEY: 'sk-bench', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
  return {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    stdout: () => out,
    stderr: () => err,
  };
}
