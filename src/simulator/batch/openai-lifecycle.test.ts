import { describe, expect, it } from 'vitest';
import { chatLines, EPOCH_MS, fileLines, openaiSetup, submit } from './test-support/openai.js';

const HOUR = 3_600_000;

describe('an OpenAI batch on the manual clock, through the openai SDK', () => {
  it('validates, runs a line a second, finalizes and completes with one output line per input line', async () => {
    const { clock, sim, client } = openaiSetup();
    const created = await submit(client, chatLines(3));
    expect(created).toMatchObject({
      object: 'batch',
      status: 'validating',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      created_at: EPOCH_MS / 1000,
      expires_at: EPOCH_MS / 1000 + 24 * 3600,
      output_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
    });
    expect(created.id).toMatch(/^batch_/);

    await clock.advance(5000); // validation takes 5 s
    expect(await client.batches.retrieve(created.id)).toMatchObject({
      status: 'in_progress',
      in_progress_at: EPOCH_MS / 1000 + 5,
      model: 'gpt-4o-mini',
      request_counts: { total: 3, completed: 0, failed: 0 },
    });
    await clock.advance(2000);
    expect((await client.batches.retrieve(created.id)).request_counts).toEqual({
      total: 3,
      completed: 2,
      failed: 0,
    });
    await clock.advance(1000);
    expect((await client.batches.retrieve(created.id)).status).toBe('finalizing');
    await clock.advance(2000);
    const done = await client.batches.retrieve(created.id);
    expect(done).toMatchObject({
      status: 'completed',
      completed_at: EPOCH_MS / 1000 + 10,
      error_file_id: null,
    });

    const output = await fileLines(client, done.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(['line-1', 'line-2', 'line-3']);
    const realtime = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'question 1' }],
    });
    expect(output[0]).toMatchObject({
      response: { status_code: 200, body: { object: 'chat.completion' } },
      error: null,
    });
    expect(output[0].response.body.choices[0].message.content).toBe(realtime.choices[0]?.message.content);
    expect(output[0].response.body.usage).toEqual(realtime.usage);
    expect(sim.stats()).toMatchObject({
      duplicatePaid: 1, // line-1 answered in the batch, then again in realtime
      batches: {
        filesUploaded: 1,
        batchesCreated: 1,
        linesAnswered: 3,
        answeredByBatch: { [created.id]: 3 },
      },
    });
  });

  it('lists batches newest first and reads the file objects', async () => {
    const { client } = openaiSetup();
    const first = await submit(client, chatLines(1));
    const second = await submit(client, chatLines(2));
    const page = await client.batches.list({ limit: 1 });
    expect(page.data.map((batch) => batch.id)).toEqual([second.id]);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const batch of client.batches.list()) all.push(batch.id);
    expect(all).toEqual([second.id, first.id]);
    const file = await client.files.retrieve(first.input_file_id);
    expect(file).toMatchObject({
      object: 'file',
      purpose: 'batch',
      filename: 'input.jsonl',
      status: 'processed',
    });
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it('runs a 24-hour window in seconds with timeScale', async () => {
    const { clock, client } = openaiSetup({ batches: { timeScale: 3600, msPerLine: 60_000 } });
    const batch = await submit(client, chatLines(1200)); // 20 hours of lines
    expect(batch.expires_at! - batch.created_at).toBe(24); // the window lasts 24 s of the clock
    await clock.advance(20_100);
    expect((await client.batches.retrieve(batch.id)).status).toBe('completed');
  });

  it('expires lines a stalled batch never ran, and keeps the paid answers', async () => {
    const { clock, sim, client } = openaiSetup({ batches: { faults: { stall: { afterLines: 2 } } } });
    const batch = await submit(client, chatLines(5));
    await clock.advance(23 * HOUR);
    expect((await client.batches.retrieve(batch.id)).status).toBe('in_progress');
    await clock.advance(HOUR);
    const expired = await client.batches.retrieve(batch.id);
    expect(expired).toMatchObject({
      status: 'expired',
      request_counts: { total: 5, completed: 2, failed: 3 },
    });
    expect((await fileLines(client, expired.output_file_id)).map((line) => line.custom_id)).toEqual([
      'line-1',
      'line-2',
    ]);
    const errors = await fileLines(client, expired.error_file_id);
    expect(errors.map((line) => [line.custom_id, line.error.code, line.response])).toEqual([
      ['line-3', 'batch_expired', null],
      ['line-4', 'batch_expired', null],
      ['line-5', 'batch_expired', null],
    ]);
    expect(sim.stats().batches).toMatchObject({ linesAnswered: 2, linesNotRun: 3 });
  });

  it('cancels with partial output: cancelling, then cancelled with what had run', async () => {
    const { clock, client } = openaiSetup();
    const batch = await submit(client, chatLines(10));
    await clock.advance(5000 + 4000);
    expect((await client.batches.cancel(batch.id)).status).toBe('cancelling');
    await clock.advance(5000);
    const cancelled = await client.batches.retrieve(batch.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { completed: 4, failed: 6 } });
    expect(cancelled.cancelling_at).toBe(EPOCH_MS / 1000 + 9);
    expect(await fileLines(client, cancelled.output_file_id)).toHaveLength(4);
    const errors = await fileLines(client, cancelled.error_file_id);
    expect(errors.every((line) => line.error.code === 'batch_cancelled')).toBe(true);
    await expect(client.batches.cancel('batch_nope')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses to cancel a batch that has ended', async () => {
    const { clock, client } = openaiSetup();
    const batch = await submit(client, chatLines(1));
    await clock.advance(HOUR);
    await expect(client.batches.cancel(batch.id)).rejects.toMatchObject({ status: 409 });
  });
});
