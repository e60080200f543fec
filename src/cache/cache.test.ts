/**
 * The response cache through the client, the official SDK and the in-process simulator, on a
 * manual clock: what is sent is what the simulator counts, exactly, on any machine.
 */
import 'openai'; // loaded before the manual clock runs: the provider imports it on first use, in real time
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VolleyOptions } from '../client/options.js';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator, type Simulator } from '../simulator/handler.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';

const SENTINEL = 'sk-SENTINEL-cache-0123456789abcdef';

async function tempCache(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'volley-cache-')), 'cache');
}

function client(
  simulator: Simulator,
  clock: ManualClock,
  options: Partial<VolleyOptions> & { apiKey?: string; baseURL?: string } = {},
) {
  const { apiKey = 'test-key', baseURL = 'http://simulator/v1', ...rest } = options;
  return new Volley({
    provider: openai({ baseURL, apiKey, env: {}, fetch: simulator.fetch }),
    model: 'm',
    clock,
    random: () => 0.5,
    ...rest,
  });
}

function setup() {
  const clock = new ManualClock(1_700_000_000_000);
  const simulator = createSimulator({ models: [], clock, latencyMedianMs: 100 });
  return { clock, simulator };
}

const prompts = (n: number, edited: ReadonlySet<number> = new Set()) =>
  Array.from({ length: n }, (_, i) => ({
    prompt: edited.has(i) ? `Tell me about item ${i}, briefly.` : `Tell me about item ${i}.`,
  }));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('the response cache in the client (manual clock, in-process simulator)', () => {
  it('a rerun of 50 prompts with 5 edited sends exactly 5 requests', async () => {
    const { clock, simulator } = setup();
    const cache = await tempCache();
    const first = await settleOn(clock, client(simulator, clock, { cache }).all(prompts(50)));
    expect(simulator.stats().requests).toBe(50);
    expect(first.some((r) => r.cached)).toBe(false);

    simulator.resetStats();
    const edited = new Set([3, 11, 20, 37, 49]);
    const second = await settleOn(clock, client(simulator, clock, { cache }).all(prompts(50, edited)));
    expect(simulator.stats().requests).toBe(5);
    expect(second.filter((r) => r.cached).length).toBe(45);
    second.forEach((result, i) => {
      expect(result.cached).toBe(edited.has(i) ? undefined : true);
      if (!edited.has(i)) expect(result.text).toBe(first[i]!.text);
    });
    expect(second[0]!.timings.attempts).toBe(0);
  });

  it('a hit never enters a lane: no rate budget, no wait, no time passes', async () => {
    const { clock, simulator } = setup();
    const cache = await tempCache();
    await settleOn(clock, client(simulator, clock, { cache, limits: { rpm: 6 } }).all(prompts(3)));
    simulator.resetStats();
    const before = clock.now();
    const again = client(simulator, clock, { cache, limits: { rpm: 6 } });
    // Not driven by the clock: a call in a lane would wait for the pump's timer, which never fires.
    const hits = await again.all(prompts(3));
    expect(hits.every((r) => r.cached)).toBe(true);
    expect(clock.now()).toBe(before);
    expect(again.lanes()).toEqual([]);
    expect(simulator.stats().requests).toBe(0);
  });

  it('stores only successes: a failed call is sent again on the rerun', async () => {
    const { clock } = setup();
    const simulator = createSimulator({ models: [], clock, latencyMedianMs: 100, contextWindow: 60 });
    const cache = await tempCache();
    const long = { prompt: 'word '.repeat(200) };
    const requests = [{ prompt: 'Short one.' }, long];
    const first = await settleOn(clock, client(simulator, clock, { cache }).settle(requests));
    expect(first.map((r) => r.ok)).toEqual([true, false]);
    simulator.resetStats();
    const second = await settleOn(clock, client(simulator, clock, { cache }).settle(requests));
    expect(second.map((r) => r.ok)).toEqual([true, false]);
    expect(simulator.stats().requests).toBe(1);
    expect(
      (await filesUnder(cache)).filter((f) => f.endsWith('.json') && !f.endsWith('volley-cache.json')),
    ).toHaveLength(1);
  });

  it('honours maxAge on the client clock', async () => {
    const { clock, simulator } = setup();
    const dir = await tempCache();
    const cache = { dir, maxAge: 60_000 };
    await settleOn(clock, client(simulator, clock, { cache }).complete({ prompt: 'Aging.' }));
    const stamped = async () => {
      const [file] = (await filesUnder(dir)).filter((f) => !f.endsWith('volley-cache.json'));
      return (JSON.parse(await readFile(file!, 'utf8')) as { created_at: number }).created_at;
    };
    // The entry is stamped with the client's clock when it is stored.
    await clock.advance((await stamped()) + 60_000 - clock.now());
    simulator.resetStats();
    const within = await client(simulator, clock, { cache }).complete({ prompt: 'Aging.' });
    expect(within.cached).toBe(true);
    await clock.advance(1);
    const past = await settleOn(clock, client(simulator, clock, { cache }).complete({ prompt: 'Aging.' }));
    expect(past.cached).toBeUndefined();
    expect(simulator.stats().requests).toBe(1);
    // The fresh answer replaced the old entry: it is a hit again.
    expect(await stamped()).toBeGreaterThan(clock.now() - 60_000);
    const renewed = await client(simulator, clock, { cache }).complete({ prompt: 'Aging.' });
    expect(renewed.cached).toBe(true);
  });

  it('keys on the request, never the API key or the base URL, and no file holds the key', async () => {
    const { clock, simulator } = setup();
    const cache = await tempCache();
    const a = client(simulator, clock, { cache, apiKey: SENTINEL, baseURL: 'http://one.example/v1' });
    const paid = await settleOn(clock, a.complete({ prompt: 'Shared question.', temperature: 0 }));
    const b = client(simulator, clock, { cache, apiKey: 'another-key', baseURL: 'http://two.example/v1' });
    const hit = await b.complete({ prompt: 'Shared question.', temperature: 0 });
    expect(hit.cached).toBe(true);
    expect(hit.text).toBe(paid.text);
    expect(simulator.stats().requests).toBe(1);
    // Another parameter is another request.
    const other = await settleOn(clock, b.complete({ prompt: 'Shared question.', temperature: 1 }));
    expect(other.cached).toBeUndefined();
    for (const file of await filesUnder(cache)) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(SENTINEL);
      expect(text).not.toContain('one.example');
    }
  });

  it('a streamed call is stored as its body and a hit streams its whole text at once', async () => {
    const { clock, simulator } = setup();
    const cache = await tempCache();
    const paid = await settleOn(
      clock,
      client(simulator, clock, { cache }).complete({ prompt: 'Stream me.' }, { onDelta: () => {} }),
    );
    const deltas: string[] = [];
    const hit = await client(simulator, clock, { cache }).complete(
      { prompt: 'Stream me.' },
      { onDelta: (text) => deltas.push(text) },
    );
    expect(hit.cached).toBe(true);
    expect(deltas).toEqual([paid.text]);
  });

  it('rejects a cache directory that is a file, naming it', async () => {
    const { clock, simulator } = setup();
    const parent = await mkdtemp(join(tmpdir(), 'volley-cache-'));
    const file = join(parent, 'not-a-dir');
    await (await import('node:fs/promises')).writeFile(file, 'x');
    const volley = client(simulator, clock, { cache: file });
    await expect(volley.complete({ prompt: 'x' })).rejects.toMatchObject({
      code: 'cache_unusable',
      message: expect.stringContaining(file),
    });
    expect(() => client(simulator, clock, { cache: 5 as never })).toThrow(
      /Expected `cache` to be a directory/,
    );
  });
});
