/**
 * `httpFetch` against a real `node:http` server on a free port. Whatever is about time (a stream
 * read as it arrives, an abort mid-call) is ordered by promises the server's handler awaits, never
 * by wall-clock windows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpFetch } from './http-fetch.js';

type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };
type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown;

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await Promise.all(servers.splice(0).map(close));
});

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function serve(handler: Handler) {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received, connections: () => connections };
}

function json(value: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, ends: (text: string) => boolean) {
  const decoder = new TextDecoder();
  let text = '';
  while (!ends(text)) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

function sse(first: string, rest: () => Promise<string | undefined>) {
  const state = { ended: false };
  const handler: Handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(first);
    const more = await rest();
    if (more === undefined || res.destroyed) return;
    state.ended = true;
    res.end(more);
  };
  return { handler, state };
}

const BODY = JSON.stringify({ text: 'héllo ☃', n: 1 });

describe('httpFetch', () => {
  it.each([
    [
      'a Headers instance',
      () =>
        new Headers({ 'Content-Type': 'application/json', 'X-Trace': 't-1', 'Accept-Encoding': 'identity' }),
    ],
    [
      'a plain object',
      () => ({ 'Content-Type': 'application/json', 'X-Trace': 't-1', 'Accept-Encoding': 'identity' }),
    ],
    [
      'an array of pairs',
      () => [
        ['Content-Type', 'application/json'],
        ['X-Trace', 't-1'],
        ['Accept-Encoding', 'identity'],
      ],
    ],
  ])('sends the method, path, query, body and headers given as %s', async (_, headers) => {
    const { url, received } = await serve(json({}));
    await httpFetch(`${url}/v1/chat?x=1&y=two`, {
      method: 'POST',
      headers: headers() as RequestInit['headers'],
      body: BODY,
    });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.method).toBe('POST');
    expect(got!.url).toBe('/v1/chat?x=1&y=two');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-trace']).toBe('t-1');
    expect(got!.headers['accept-encoding']).toBe('identity');
    expect(got!.body.toString('utf8')).toBe(BODY);
    expect(got!.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
  });

  it('sends a header repeated in an array of pairs with both values, as fetch does', async () => {
    const { url, received } = await serve(json({}));
    await httpFetch(url, {
      headers: [
        ['X-A', 'one'],
        ['x-a', 'two'],
      ],
    });
    expect(received[0]!.headers['x-a']).toBe('one, two');
  });

  it('answers with the status, status text, headers and JSON body', async () => {
    const { url } = await serve((_req, res) => {
      res.setHeader('x-a', ['one', 'two']);
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made It', { 'content-type': 'application/json; charset=utf-8' }).end(BODY);
    });
    const res = await httpFetch(`${url}/v1`, { method: 'POST', body: BODY });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.statusText).toBe('Made It');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('X-A')).toBe('one, two');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ text: 'héllo ☃', n: 1 });
  });

  it('reads a +json answer whole, as JSON', async () => {
    const { url } = await serve((_req, res) =>
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"error":"bad"}'),
    );
    const res = await httpFetch(url);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad' });
  });

  it('sends a Uint8Array body byte for byte, a view at an offset included', async () => {
    const { url, received } = await serve(json({}));
    const backing = new Uint8Array(300);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 7 + 3) % 256;
    const bytes = backing.subarray(17, 17 + 256);
    await httpFetch(url, { method: 'PUT', body: bytes });
    expect(received[0]!.method).toBe('PUT');
    expect([...received[0]!.body]).toEqual([...bytes]);
    expect(received[0]!.headers['content-length']).toBe('256');
  });

  it('asks for gzip, deflate and br unless told otherwise', async () => {
    const { url, received } = await serve(json({}));
    await httpFetch(url);
    const asked = String(received[0]!.headers['accept-encoding']).split(/\s*,\s*/);
    expect(asked).toEqual(expect.arrayContaining(['gzip', 'deflate', 'br']));
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decodes a %s-encoded JSON answer', async (encoding, encode) => {
    const { url } = await serve((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding })
        .end(encode(Buffer.from(BODY))),
    );
    const res = await httpFetch(url);
    expect(await res.json()).toEqual({ text: 'héllo ☃', n: 1 });
  });

  it('decodes a gzip-encoded event stream', async () => {
    const { url } = await serve((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })
        .end(gzipSync('data: one\n\ndata: two\n\n')),
    );
    const res = await httpFetch(url);
    expect(await res.text()).toBe('data: one\n\ndata: two\n\n');
  });

  it('rejects like fetch when a JSON answer does not decode', async () => {
    const { url } = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('not gzip'),
    );
    const error = await httpFetch(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect((error as TypeError).cause).toBeInstanceOf(Error);
  });

  it('passes an event stream on as it arrives', async () => {
    const go = deferred();
    const { handler, state } = sse('data: one\n\n', async () => {
      await go.promise;
      return 'data: two\n\ndata: [DONE]\n\n';
    });
    const { url } = await serve(handler);
    const res = await httpFetch(url, { method: 'POST', body: BODY });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await readUntil(reader, (text) => text.includes('\n\n'));
    expect(first).toBe('data: one\n\n');
    expect(state.ended).toBe(false);
    go.resolve();
    const rest = await readUntil(reader, () => false);
    expect(state.ended).toBe(true);
    expect(first + rest).toBe('data: one\n\ndata: two\n\ndata: [DONE]\n\n');
  });

  it('gives a 204 answer a null body', async () => {
    const { url } = await serve((_req, res) => res.writeHead(204, { 'x-id': '7' }).end());
    const res = await httpFetch(url, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect(res.headers.get('x-id')).toBe('7');
  });

  it('gives a HEAD answer a null body', async () => {
    const { url } = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' }).end(),
    );
    const res = await httpFetch(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });

  it('rejects with the reason of a signal aborted before the call, and sends nothing', async () => {
    const { url, received, connections } = await serve(json({ ok: true }));
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(httpFetch(`${url}/before`, { signal: controller.signal })).rejects.toBe(reason);
    await httpFetch(`${url}/after`);
    expect(received.map((r) => r.url)).toEqual(['/after']);
    expect(connections()).toBe(1);
  });

  it.each([
    ['a given reason', (controller: AbortController) => controller.abort(new Error('stop'))],
    ['no reason', (controller: AbortController) => controller.abort()],
  ])('rejects with the reason when aborted with %s while waiting for the answer', async (_, abort) => {
    const arrived = deferred();
    const closed = deferred();
    const { url } = await serve((_req, res) => {
      res.once('close', () => closed.resolve());
      arrived.resolve();
    });
    const controller = new AbortController();
    const call = httpFetch(url, { method: 'POST', body: BODY, signal: controller.signal });
    call.catch(() => {});
    await arrived.promise;
    abort(controller);
    await expect(call).rejects.toBe(controller.signal.reason);
    await closed.promise;
  });

  it('rejects with an AbortError DOMException when aborted without a reason', async () => {
    const arrived = deferred();
    const { url } = await serve(() => arrived.resolve());
    const controller = new AbortController();
    const call = httpFetch(url, { signal: controller.signal });
    call.catch(() => {});
    await arrived.promise;
    controller.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
  });

  it('ends an event stream being read with the reason when aborted', async () => {
    const never = deferred<undefined>();
    const { handler } = sse('data: one\n\n', () => never.promise);
    const { url } = await serve(handler);
    const controller = new AbortController();
    const res = await httpFetch(url, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(await readUntil(reader, (text) => text.includes('\n\n'))).toBe('data: one\n\n');
    const pending = reader.read();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    never.resolve(undefined);
  });

  it('rejects a refused connection with TypeError("fetch failed") whose cause has the code', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await close(server);
    const error = await httpFetch(`http://127.0.0.1:${port}/v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('reuses one socket for calls one after another', async () => {
    const { url, received, connections } = await serve(json({ ok: true }));
    expect(await (await httpFetch(`${url}/1`)).json()).toEqual({ ok: true });
    expect(await (await httpFetch(`${url}/2`, { method: 'POST', body: BODY })).json()).toEqual({ ok: true });
    expect(received.map((r) => r.url)).toEqual(['/1', '/2']);
    expect(connections()).toBe(1);
  });

  describe('handing over to globalThis.fetch', () => {
    function fallback() {
      return vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('fallback'));
    }

    it.each([
      ['a FormData body', (url: string) => [url, { method: 'POST', body: new FormData() }] as const],
      ['a Blob body', (url: string) => [url, { method: 'POST', body: new Blob(['x']) }] as const],
      ['a Request', (url: string) => [new Request(url), undefined] as const],
      ['a data: URL', () => ['data:text/plain,hi', undefined] as const],
      ['an undici dispatcher', (url: string) => [url, { dispatcher: {} } as RequestInit] as const],
    ])('hands over %s as it came', async (_, call) => {
      const { url, received } = await serve(json({}));
      const fetch = fallback();
      const [input, init] = call(url);
      const res = await httpFetch(input, init);
      expect(await res.text()).toBe('fallback');
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(fetch.mock.calls[0]![0]).toBe(input);
      expect(fetch.mock.calls[0]![1]).toBe(init);
      expect(received).toHaveLength(0);
    });

    it.each([301, 302, 303, 307, 308])(
      'sends the call again through fetch when answered %i',
      async (status) => {
        const { url, received } = await serve((_req, res) =>
          res.writeHead(status, { location: '/elsewhere' }).end(),
        );
        const answer = new Response('redirected');
        const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(answer);
        const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY };
        const input = `${url}/v1`;
        expect(await httpFetch(input, init)).toBe(answer);
        expect(fetch).toHaveBeenCalledTimes(1);
        expect(fetch.mock.calls[0]![0]).toBe(input);
        expect(fetch.mock.calls[0]![1]).toBe(init);
        expect(received).toHaveLength(1);
      },
    );

    it('returns a redirect status without a Location as it is', async () => {
      const { url } = await serve((_req, res) =>
        res.writeHead(302, { 'content-type': 'text/plain' }).end('here'),
      );
      const fetch = fallback();
      const res = await httpFetch(url);
      expect(res.status).toBe(302);
      expect(await res.text()).toBe('here');
      expect(fetch).not.toHaveBeenCalled();
    });
  });

  it('lets a process that made a call exit on its own', async () => {
    const { server, url } = await serve(json({ ok: true }));
    server.keepAliveTimeout = 0;
    const module = new URL('./http-fetch.ts', import.meta.url).href;
    const script = [
      `const { httpFetch } = await import(${JSON.stringify(module)});`,
      `const res = await httpFetch(${JSON.stringify(url)});`,
      'console.log(res.status, await res.text());',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (err += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toBe('');
    expect(out).toBe('200 {"ok":true}\n');
    expect(code).toBe(0);
  });
});
