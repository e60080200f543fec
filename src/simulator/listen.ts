import { createServer } from 'node:http';
import { loadTokenizer } from '../tokens/count.js';
import type { Simulator } from './handler.js';
import { serveNode } from './serve-node.js';

export interface ListenOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
}

export interface SimulatorServer {
  /** Base URL for SDK clients, ending in `/v1` (e.g. `http://127.0.0.1:54321/v1`). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys open connections, hung ones included. */
  close(): Promise<void>;
}

/** Serves a simulator over `node:http`, streaming bodies as they are produced. */
export async function listen(
  simulator: Pick<Simulator, 'handle'>,
  options: ListenOptions = {},
): Promise<SimulatorServer> {
  for (const key of Object.keys(options)) {
    if (key !== 'port' && key !== 'host') throw new TypeError(`Unknown listen option "${key}"`);
  }
  const { port = 0, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`listen option "port" must be an integer from 0 to 65535, got ${port}`);
  }
  if (typeof host !== 'string' || host === '') {
    throw new TypeError('listen option "host" must be a non-empty string');
  }

  // The simulator counts every prompt's tokens. Its tables load on first use, and that blocks
  // the process for half a second or more (seconds on a busy machine). A server that is up
  // answers its first requests at once; one that stalls them makes every client flood it
  // before the first 429 can come back. So the tables load before it listens.
  await loadTokenizer();
  let origin: string | undefined; // known once bound, before any request can arrive
  const server = createServer((req, res) => {
    serveNode((request) => simulator.handle(request), req, res, origin).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${urlHost}:${bound}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/v1`,
    port: bound,
    // Idempotent: a test's own close() and its afterEach may both call it.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and hung connections would hold close() open; tests need it to end now.
        server.closeAllConnections();
      })),
  };
}
