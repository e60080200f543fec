import { describe, expect, it } from 'vitest';
import { anthropicSetup, MODEL, messageRequests, results } from '../batch/test-support/anthropic.js';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(1_750_000_000_000 + ms).toISOString();

describe('Anthropic message batches on the manual clock, through @anthropic-ai/sdk', () => {
  it('processes the requests and serves the results at an absolute results_url', async () => {
    const { clock, sim, client } = anthropicSetup();
    const created = await client.messages.batches.create({ requests: messageRequests(3) });
    expect(created).toMatchObject({
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      created_at: at(0),
      expires_at: at(24 * HOUR),
      results_url: null,
      ended_at: null,
    });
    expect(created.id).toMatch(/^msgbatch_/);
    await clock.advance(2000);
    expect((await client.messages.batches.retrieve(created.id)).request_counts.processing).toBe(3);
    await clock.advance(1000);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended).toMatchObject({
      processing_status: 'ended',
      ended_at: at(3000),
      request_counts: { processing: 0, succeeded: 3 },
      results_url: `http://sim/v1/messages/batches/${created.id}/results`,
    });
    const all = await results(client, created.id);
    expect(all.map((line) => [line.custom_id, line.result.type])).toEqual([
      ['req-1', 'succeeded'],
      ['req-2', 'succeeded'],
      ['req-3', 'succeeded'],
    ]);
    const realtime = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'question 1' }],
    });
    const first = all[0]!.result;
    if (first.type !== 'succeeded') throw new Error('expected a message');
    expect(first.message.content).toEqual(realtime.content);
    expect(first.message.usage).toMatchObject({ ...realtime.usage, service_tier: 'batch' });
    expect(sim.stats()).toMatchObject({ duplicatePaid: 1, batches: { batchesCreated: 1, linesAnswered: 3 } });
  });

  it('lists batches newest first', async () => {
    const { client } = anthropicSetup();
    const first = await client.messages.batches.create({ requests: messageRequests(1) });
    const second = await client.messages.batches.create({ requests: messageRequests(1) });
    const ids = [];
    for await (const batch of client.messages.batches.list({ limit: 1 })) ids.push(batch.id);
    expect(ids).toEqual([second.id, first.id]);
  });

  it('cancels with partial results: canceling, then ended with the rest canceled', async () => {
    const { clock, client } = anthropicSetup();
    const batch = await client.messages.batches.create({ requests: messageRequests(5) });
    await clock.advance(2000);
    const canceling = await client.messages.batches.cancel(batch.id);
    expect(canceling).toMatchObject({ processing_status: 'canceling', cancel_initiated_at: at(2000) });
    await clock.advance(5000);
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 2,
      errored: 0,
      canceled: 3,
      expired: 0,
    });
    expect((await results(client, batch.id)).map((line) => line.result.type)).toEqual([
      'succeeded',
      'succeeded',
      'canceled',
      'canceled',
      'canceled',
    ]);
    await expect(client.messages.batches.cancel(batch.id)).rejects.toMatchObject({ status: 400 });
  });

  it('expires what a stalled batch never ran when the window closes', async () => {
    const { clock, client } = anthropicSetup({ batches: { faults: { stall: { afterLines: 1 } } } });
    const batch = await client.messages.batches.create({ requests: messageRequests(3) });
    await clock.advance(24 * HOUR);
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended).toMatchObject({ processing_status: 'ended', ended_at: at(24 * HOUR) });
    expect(ended.request_counts).toMatchObject({ succeeded: 1, expired: 2 });
  });

  it('answers 404 on the first retrieve of a new batch when scripted, then finds it', async () => {
    const { client } = anthropicSetup({ batches: { faults: { notFoundOnFirstRetrieve: true } } });
    const batch = await client.messages.batches.create({ requests: messageRequests(1) });
    await expect(client.messages.batches.retrieve(batch.id)).rejects.toMatchObject({
      status: 404,
      error: { type: 'error', error: { type: 'not_found_error' } },
    });
    expect((await client.messages.batches.retrieve(batch.id)).id).toBe(batch.id);
  });

  it('errors requests with api_error and overloaded_error at the scripted rates, and bad params as invalid', async () => {
    const faults = {
      lines: [
        { rate: 0.3, kind: 'server_error' as const },
        { rate: 0.3, kind: 'overloaded' as const },
      ],
    };
    const { clock, sim, client } = anthropicSetup({ batches: { faults } });
    const requests = [...messageRequests(60), { custom_id: 'bad', params: { model: MODEL, messages: [] } }];
    const batch = await client.messages.batches.create({ requests: requests as never });
    await clock.advance(HOUR);
    const all = await results(client, batch.id);
    const types = all.map((line) =>
      line.result.type === 'errored' ? line.result.error.error.type : line.result.type,
    );
    expect(types.filter((type) => type === 'api_error').length).toBeGreaterThan(5);
    expect(types.filter((type) => type === 'overloaded_error').length).toBeGreaterThan(5);
    expect(types.at(-1)).toBe('invalid_request_error');
    const succeeded = types.filter((type) => type === 'succeeded').length;
    expect(sim.stats().batches).toMatchObject({ linesAnswered: succeeded, linesFailed: 61 - succeeded });
  });

  it.each([
    [{ requests: [] }, /requests/],
    [{ requests: [{ custom_id: 'a b', params: {} }] }, /custom_id/],
    [{ requests: [...messageRequests(1), ...messageRequests(1)] }, /more than once/],
  ])('refuses a malformed create with a 400 (%#)', async (body, message) => {
    const { client } = anthropicSetup();
    const error = await client.messages.batches.create(body as never).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 400,
      error: { error: { type: 'invalid_request_error', message } },
    });
  });
});
