import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConnectionResetError } from './faults.js';

/**
 * Bridges one `node:http` exchange to a fetch-style handler: the request becomes a `Request` whose
 * signal aborts when the client goes away, and the `Response` body is written as it is produced.
 */
export async function serveNode(
  handle: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
  origin = 'http://simulator',
): Promise<void> {
  const controller = new AbortController();
  // The client left before the answer was complete: abort, so hangs and streams stop and are counted.
  res.on('close', () => {
    if (!res.writableFinished)
      controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
  });
  const body = await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  // The origin is the server's own address, not the Host header: answers that link back to the
  // simulator (Anthropic's `results_url`) must not point where a client's header says.
  const request = new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
    signal: controller.signal,
  });

  let response: Response;
  try {
    response = await handle(request);
  } catch (error) {
    if (error instanceof ConnectionResetError) resetSocket(req.socket);
    else res.destroy();
    return;
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  // Headers go out now: a streaming client should see the status before the first chunk is due.
  res.flushHeaders();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch {
    res.destroy();
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A TCP reset (RST) where the platform can send one, so the client sees ECONNRESET, not a clean close. */
function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
