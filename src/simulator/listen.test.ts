/**
 * The simulator on a real port. Whatever is about time (streamed chunks, hung requests, hangMs)
 * runs on a manual clock that the server's timers follow, and waits by steps of that clock and turns
 * of the event loop, never by wall-clock windows: the outcome is the same on any machine.
 */
import { request as httpRequest } from 'node:http';
import OpenAI, { APIConnectionError, APIUserAbortError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';
import { tokenizerLoaded } from '../tokens/count.js';
import { createSimulator } from './handler.js';
import { listen, type SimulatorServer } from './listen.js';
import type { SimulatorOptions } from './options.js';

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: SimulatorOptions = {}) {
  const clock = new ManualClock();
  const sim = createSimulator({ latencyMedianMs: 1, clock, ...options });
  const server = await listen(sim);
  servers.push(server);
  const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  return { sim, server, client, clock };
}

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

/**
 * Resolves once `check` holds, stepping the manual clock by 1 ms and yielding to I/O between steps;
 * bounded by steps, not by wall time.
 */
function until(clock: ManualClock, check: () => boolean, steps = 20_000): Promise<void> {
  return settleOn(
    clock,
    new Promise<void>((resolve, reject) => {
      let left = steps;
      const look = () => {
        if (check()) return resolve();
        if (--left === 0) return reject(new Error('condition not met'));
        setImmediate(look);
      };
      look();
    }),
    { limitMs: steps },
  );
}

describe('listen', () => {
  it('loads the tokenizer before it listens, so its first answers are not held up by the tables', async () => {
    expect(tokenizerLoaded()).toBe(false);
    await start();
    expect(tokenizerLoaded()).toBe(true);
  });

  it('serves the SDK over real HTTP, with headers', async () => {
    const { server, client, clock } = await start({ rpm: 100 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
    const { data, response } = await settleOn(clock, client.chat.completions.create(hello).withResponse());
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
  });

  it('streams chunks as they are produced, each at its own time', async () => {
    const { client, clock } = await start({ msPerOutputToken: 15, outputTokens: 10 });
    const stream = await settleOn(
      clock,
      client.chat.completions.create({ ...hello, stream: true, stream_options: { include_usage: true } }),
    );
    const arrivals: number[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    const chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      const next = await settleOn(clock, chunks.next());
      if (next.done) break;
      if (next.value.choices[0]?.delta.content) arrivals.push(clock.now());
      usage = next.value.usage ?? usage;
    }
    expect(usage?.completion_tokens).toBe(arrivals.length);
    // One token every 15 ms of the simulator's clock, not all at the end.
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    expect(gaps.every((gap) => gap >= 14 && gap <= 16)).toBe(true);
  });

  it('stops a stream when the client leaves mid-way', async () => {
    const { sim, client, clock } = await start({ msPerOutputToken: 20, outputTokens: 40 });
    const stream = await settleOn(clock, client.chat.completions.create({ ...hello, stream: true }));
    const chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      const next = await settleOn(clock, chunks.next());
      if (next.done || next.value.choices[0]?.delta.content) break;
    }
    await chunks.return?.();
    await until(clock, () => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ aborted: 1, successes: 1 });
  });

  it('resets the socket for a reset fault', async () => {
    const { client, clock } = await start({ faults: { reset: 1 } });
    await expect(settleOn(clock, client.chat.completions.create(hello))).rejects.toBeInstanceOf(
      APIConnectionError,
    );
  });

  it('holds a hung request until the client aborts, then lets it go', async () => {
    const { sim, client, clock } = await start({ faults: { hang: 1 } });
    const controller = new AbortController();
    const pending = client.chat.completions.create(hello, { signal: controller.signal });
    pending.catch(() => {});
    await until(clock, () => sim.stats().inFlight === 1);
    await clock.advance(60_000); // a minute of the server's time: still hung
    expect(sim.stats().inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await until(clock, () => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ aborted: 1, faults: { hang: 1 } });
  });

  it('drops a hung connection after hangMs', async () => {
    const { sim, client, clock } = await start({ faults: { hang: 1 }, hangMs: 50 });
    await expect(settleOn(clock, client.chat.completions.create(hello))).rejects.toBeInstanceOf(
      APIConnectionError,
    );
    expect(clock.now()).toBeGreaterThanOrEqual(50);
    expect(sim.stats().inFlight).toBe(0);
  });

  it('closes even with a hung connection open', async () => {
    const { sim, server, clock } = await start({ faults: { hang: 1 } });
    // Settles either way, so a broken simulator fails the test instead of timing it out.
    const errored = new Promise<unknown>((resolve) => {
      const req = httpRequest(`${server.url}/chat/completions`, { method: 'POST' }, (res) =>
        resolve(res.statusCode),
      );
      req.on('error', resolve);
      req.end(JSON.stringify(hello));
    });
    await until(clock, () => sim.stats().inFlight === 1);
    await server.close(); // no time passes on the server's clock: the hang cannot end by itself
    expect(await errored).toBeInstanceOf(Error);
  });

  it('answers the stats routes over HTTP', async () => {
    const { server, client, clock } = await start();
    await settleOn(clock, client.chat.completions.create(hello));
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
