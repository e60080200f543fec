import { request as httpRequest } from 'node:http';
import OpenAI, { APIConnectionError, APIUserAbortError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator } from './handler.js';
import { listen, type SimulatorServer } from './listen.js';
import type { SimulatorOptions } from './options.js';

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: SimulatorOptions = {}) {
  const sim = createSimulator({ latencyMedianMs: 1, ...options });
  const server = await listen(sim);
  servers.push(server);
  const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  return { sim, server, client };
}

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('listen', () => {
  it('serves the SDK over real HTTP, with headers', async () => {
    const { server, client } = await start({ rpm: 100 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
    const { data, response } = await client.chat.completions.create(hello).withResponse();
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
  });

  it('streams chunks as they are produced', async () => {
    const { client } = await start({ msPerOutputToken: 15, outputTokens: 10 });
    const stream = await client.chat.completions.create({
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now());
      usage = chunk.usage ?? usage;
    }
    expect(usage?.completion_tokens).toBe(arrivals.length);
    // Spread over time rather than delivered in one piece at the end.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(15 * (arrivals.length - 1) * 0.6);
  });

  it('stops a stream when the client leaves mid-way', async () => {
    const { sim, client } = await start({ msPerOutputToken: 20, outputTokens: 40 });
    const stream = await client.chat.completions.create({ ...hello, stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ aborted: 1, successes: 1 });
  });

  it('resets the socket for a reset fault', async () => {
    const { client } = await start({ faults: { reset: 1 } });
    await expect(client.chat.completions.create(hello)).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('holds a hung request until the client aborts, then lets it go', async () => {
    const { sim, client } = await start({ faults: { hang: 1 } });
    const controller = new AbortController();
    const pending = client.chat.completions.create(hello, { signal: controller.signal });
    await waitFor(() => sim.stats().inFlight === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ aborted: 1, faults: { hang: 1 } });
  });

  it('drops a hung connection after hangMs', async () => {
    const { sim, client } = await start({ faults: { hang: 1 }, hangMs: 50 });
    await expect(client.chat.completions.create(hello)).rejects.toBeInstanceOf(APIConnectionError);
    expect(sim.stats().inFlight).toBe(0);
  });

  it('closes promptly even with a hung connection open', async () => {
    const { server } = await start({ faults: { hang: 1 } });
    // Settles either way, so a broken simulator fails the test instead of timing it out.
    const errored = new Promise<unknown>((resolve) => {
      const req = httpRequest(`${server.url}/chat/completions`, { method: 'POST' }, (res) =>
        resolve(res.statusCode),
      );
      req.on('error', resolve);
      req.end(JSON.stringify(hello));
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await errored).toBeInstanceOf(Error);
  });

  it('answers the stats routes over HTTP', async () => {
    const { server, client } = await start();
    await client.chat.completions.create(hello);
    const base = server.url.replace(/\/v1$/, '');
    expect(await (await fetch(`${base}/stats`)).json()).toMatchObject({ requests: 1, successes: 1 });
    expect(await (await fetch(`${base}/stats/reset`, { method: 'POST' })).json()).toMatchObject({
      requests: 0,
    });
    const missing = await fetch(`${base}/nothing`);
    expect(missing.status).toBe(404);
  });

  it('rejects bad listen options', async () => {
    const sim = createSimulator();
    await expect(listen(sim, { port: -1 })).rejects.toThrow(/"port"/);
    await expect(listen(sim, { hots: 'x' } as never)).rejects.toThrow(/Unknown listen option "hots"/);
  });
});
