/**
 * A throwaway `redis-server` (Debian's package) for the tests and benches that need Redis: on a free
 * port, in a temporary folder, with persistence off, stopped at the end. Never the machine's own
 * Redis on 6379. When no `redis-server` is on the PATH the suites say so and skip, unless
 * `VOLLEY_REQUIRE_REDIS=1` (set by `.ci/run`) turns the skip into a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM) and waits for it to exit; the port stays this server's to `start` again. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (persistence is off): a Redis restart. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/** The `redis-server` on the PATH, or undefined. */
function findRedisServer(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir || '.', 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export interface RedisServerOptions {
  /** Makes the server require this password (`requirepass`). */
  readonly password?: string;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error('No redis-server on the PATH: apt-get install -y redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'volley-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // A free port can be taken between our probe and redis binding it (tests run in parallel): retry.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(binary, port, dir, options);
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const server: RedisServer = {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    async stop() {
      const running = child;
      child = undefined;
      if (running) await terminate(running);
    },
    async start() {
      if (!child) child = await launch(binary, port, dir, options);
    },
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

function launch(
  binary: string,
  port: number,
  dir: string,
  options: RedisServerOptions,
): Promise<ChildProcess> {
  if (port === 6379) return Promise.reject(new Error('Refusing port 6379: that is the shared Redis.'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const child = spawn(binary, [...args, '--dir', dir, '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = () => fail(new Error(`redis-server exited before it was ready:\n${output}`));
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', onExit);
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `describe` for suites that need a redis-server: skipped with a note when there is none, or a
 * failing test in its place when `VOLLEY_REQUIRE_REDIS=1` says Redis must be there (CI).
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (findRedisServer()) {
    describe(name, body);
    return;
  }
  const hint = 'no redis-server on the PATH (apt-get install -y redis-server)';
  if (process.env['VOLLEY_REQUIRE_REDIS'] === '1') {
    describe(name, () => {
      it('needs a redis-server', () => {
        throw new Error(`VOLLEY_REQUIRE_REDIS=1 but ${hint}.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${hint}.`);
  describe.skip(name, body);
}
