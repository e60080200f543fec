import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../test-support/manual-clock.js';
import { createSimulator } from '../handler.js';
import { listen, type SimulatorServer } from '../listen.js';
import { messageRequests, results } from './test-support/anthropic.js';
import { chatLines, fileLines, submit } from './test-support/openai.js';

// Real sockets, the simulator's clock moved by hand between requests: nothing here depends on speed.
let server: SimulatorServer | undefined;
afterEach(() => server?.close());

async function serve() {
  const clock = new ManualClock();
  const sim = createSimulator({ clock, latencyMedianMs: 0 });
  server = await listen(sim);
  return { clock, sim, url: server.url };
}

describe('the Batch APIs over HTTP', () => {
  it('runs an OpenAI batch through the openai SDK: upload, create, retrieve, download', async () => {
    const { clock, sim, url } = await serve();
    const client = new OpenAI({ apiKey: 'test', baseURL: url, maxRetries: 0 });
    const batch = await submit(client, chatLines(20));
    await clock.advance(3_600_000);
    const done = await client.batches.retrieve(batch.id);
    expect(done.status).toBe('completed');
    const output = await fileLines(client, done.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(
      chatLines(20).map((line) => (line as { custom_id: string }).custom_id),
    );
    expect(sim.stats()).toMatchObject({ duplicatePaid: 0, batches: { linesAnswered: 20 } });
  });

  it('runs an Anthropic batch through @anthropic-ai/sdk, following results_url back over HTTP', async () => {
    const { clock, sim, url } = await serve();
    const client = new Anthropic({ apiKey: 'test', baseURL: url.replace(/\/v1$/, ''), maxRetries: 0 });
    const batch = await client.messages.batches.create({ requests: messageRequests(20) });
    await clock.advance(3_600_000);
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended.results_url).toBe(`${url}/messages/batches/${batch.id}/results`);
    const all = await results(client, batch.id);
    expect(all.filter((line) => line.result.type === 'succeeded')).toHaveLength(20);
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'something new' }],
    });
    expect(message.type).toBe('message');
    expect(sim.stats()).toMatchObject({ duplicatePaid: 0, successes: 1, batches: { linesAnswered: 20 } });
  });
});
