/**
 * The `fetch` a provider hands its SDK when the caller brings none: one HTTP/1.1 request through
 * `node:http` or `node:https` on a keep-alive agent, for what the APIs answer (JSON, read whole,
 * and event streams, passed on as they arrive). Node's own `fetch` runs every call through web
 * streams, a cloned request and a WASM parser: against the simulator it allocated about 80 KB a
 * call where this allocates about 20, and V8 kept the difference as old-space garbage (a 40,000-line
 * run peaked at 239 MB against 187); a one-line run also took 30 MB and 170 ms more to load it.
 *
 * What it does not cover goes to `globalThis.fetch` as it came: a `Request` object, a body other
 * than a string or bytes (the Batch API's file uploads), an undici `dispatcher`, a protocol other
 * than http(s), and an answer that redirects (sent again there, to be followed). Failures look like
 * `fetch`'s, which the SDKs and `causes.ts` read: an abort rejects with the signal's reason, a
 * network failure with `TypeError('fetch failed')` whose `cause` is Node's error with its `code`.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

type Transport = {
  readonly request: (
    url: URL,
    options: RequestOptions,
    onResponse: (res: IncomingMessage) => void,
  ) => ClientRequest;
  readonly agent: RequestOptions['agent'];
};

/**
 * Idle keep-alive sockets close after this, or a second before the server's `Keep-Alive: timeout`
 * hint when it is shorter (Node applies the hint only under an agent timeout). It only closes free
 * sockets: a call in flight longer than this is not touched.
 */
const IDLE_SOCKET_MS = 60_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses whose `Response` must have a null body (Node takes 1xx answers apart). */
const NO_BODY = new Set([204, 205, 304]);

// `node:https` loads TLS: imported at the first https call, not with the provider.
const transports = new Map<string, Promise<Transport>>();
function transport(protocol: 'http:' | 'https:'): Promise<Transport> {
  let loaded = transports.get(protocol);
  if (loaded === undefined) {
    const mod = protocol === 'https:' ? import('node:https') : import('node:http');
    loaded = mod.then((m) => ({
      request: m.request,
      agent: new m.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    }));
    transports.set(protocol, loaded);
  }
  return loaded;
}

export function httpFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const body = init?.body;
  const url =
    input instanceof URL ? input : typeof input === 'string' && URL.canParse(input) ? new URL(input) : null;
  const plain = body == null || typeof body === 'string' || body instanceof Uint8Array;
  const protocol = url?.protocol;
  if (
    url === null ||
    !plain ||
    (protocol !== 'http:' && protocol !== 'https:') ||
    'dispatcher' in (init ?? {})
  )
    return globalThis.fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const refetch = () => globalThis.fetch(input, init);
  return transport(protocol).then((via) => send(via, url, init ?? {}, body ?? undefined, signal, refetch));
}

function send(
  via: Transport,
  url: URL,
  init: RequestInit,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  refetch: () => Promise<Response>,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let response: IncomingMessage | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    };
    const done = (answered: Response | Promise<Response>) => {
      settled = true;
      resolve(answered);
    };
    const answer = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location !== undefined) {
        res.resume();
        signal?.removeEventListener('abort', onAbort);
        done(refetch());
        return;
      }
      const head = { status, statusText: res.statusMessage ?? '', headers: responseHeaders(res.rawHeaders) };
      const stream = decoded(res, fail);
      if (NO_BODY.has(status) || init.method === 'HEAD') {
        stream.resume();
        signal?.removeEventListener('abort', onAbort);
        done(new Response(null, head));
        return;
      }
      if (!isJson(res.headers['content-type'])) {
        // An event stream (or a file) goes on piece by piece; the signal still ends it.
        stream.once('close', () => signal?.removeEventListener('abort', onAbort));
        done(new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, head));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('end', () => {
        if (settled) return;
        signal?.removeEventListener('abort', onAbort);
        done(new Response(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), head));
      });
    };
    const options = { method: init.method ?? 'GET', headers: requestHeaders(init.headers), agent: via.agent };
    const req = via.request(url, options, (res) => {
      response = res;
      try {
        answer(res);
      } catch (error) {
        fail(error);
        res.destroy();
      }
    });
    const onAbort = () => {
      fail(signal?.reason);
      // A body still coming (a stream the caller reads) ends with the same reason.
      response?.destroy(signal?.reason);
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', fail);
    req.end(body);
  });
}

/** The response body with its `content-encoding` undone, as `fetch` does; errors go to `fail`. */
function decoded(res: IncomingMessage, fail: (error: unknown) => void): Readable {
  const encoding = res.headers['content-encoding']?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  res.once('error', fail);
  if (decoder === undefined) return res;
  decoder.once('error', fail);
  res.once('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

function requestHeaders(given: RequestInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  if (given instanceof Headers) {
    given.forEach((value, name) => {
      headers[name] = value;
    });
  } else {
    const pairs = Array.isArray(given) ? given : Object.entries((given ?? {}) as Record<string, string>);
    for (const [name, value] of pairs as [string, string][]) {
      // A name given twice keeps both values, joined as `Headers` joins them.
      const key = name.toLowerCase();
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    }
  }
  // What `fetch` asks for, and undoes in `decoded`.
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  return headers;
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/json' || (type?.endsWith('+json') ?? false);
}
