import { describe, expect, it } from 'vitest';
import { checkInputFile, MAX_BYTES, MAX_LINES } from './input-file.js';
import { chatLines, fileLines, jsonl, openaiSetup, submit } from './test-support/openai.js';

const HOUR = 3_600_000;

describe('scripted faults and validation of OpenAI batches', () => {
  it('fails validation after create, not at upload, naming the provider line numbers', async () => {
    const { clock, client } = openaiSetup();
    const lines = chatLines(4);
    const bad = [
      lines[0],
      'not json',
      { ...lines[2], custom_id: 'line-1' },
      { ...lines[3], body: { ...(lines[3] as { body: object }).body, model: 'gpt-4o' } },
    ];
    const batch = await submit(client, bad);
    expect(batch.status).toBe('validating');
    await clock.advance(5000);
    const failed = await client.batches.retrieve(batch.id);
    expect(failed).toMatchObject({ status: 'failed', output_file_id: null, error_file_id: null });
    expect(failed.errors?.data?.map((error) => [error.code, error.line, error.param])).toEqual([
      ['invalid_json_line', 2, null],
      ['duplicate_custom_id', 3, 'custom_id'],
      ['model_mismatch', 4, 'body.model'],
    ]);
  });

  it('refuses an empty file at validation', async () => {
    const { clock, client } = openaiSetup();
    const batch = await submit(client, []);
    await clock.advance(5000);
    expect((await client.batches.retrieve(batch.id)).errors?.data).toEqual([
      expect.objectContaining({ code: 'empty_file', line: null }),
    ]);
  });

  it.each([
    [jsonl(chatLines(MAX_LINES + 1)), 'too_many_tasks'],
    [new Uint8Array(MAX_BYTES + 1), 'file_too_large'],
  ])('refuses a file over the limits (%#)', (content, code) => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const { errors } = checkInputFile(bytes, '/v1/chat/completions');
    expect(errors).toContainEqual(expect.objectContaining({ code, line: null }));
  });

  it('fails chosen lines of chosen batches with invalidLines, and lets later batches run', async () => {
    const { clock, client } = openaiSetup({
      batches: { faults: { invalidLines: { lines: [2, 9], batches: [1] } } },
    });
    const first = await submit(client, chatLines(3));
    await clock.advance(5000);
    const failed = await client.batches.retrieve(first.id);
    expect(failed.errors?.data).toEqual([expect.objectContaining({ code: 'invalid_request', line: 2 })]);
    const second = await submit(client, chatLines(3));
    await clock.advance(HOUR);
    expect((await client.batches.retrieve(second.id)).status).toBe('completed');
  });

  it('nests per-line 4xx and 5xx in response.body of the error file, at the scripted rates', async () => {
    const faults = {
      lines: [
        { rate: 0.1, kind: 'invalid_request' as const },
        { rate: 0.1, kind: 'server_error' as const },
      ],
    };
    const { clock, sim, client } = openaiSetup({ batches: { faults } });
    const batch = await submit(client, chatLines(200));
    await clock.advance(HOUR);
    const done = await client.batches.retrieve(batch.id);
    const output = await fileLines(client, done.output_file_id);
    const errors = await fileLines(client, done.error_file_id);
    expect(output.length + errors.length).toBe(200);
    const statuses = errors.map((line) => line.response.status_code);
    expect(statuses.filter((status) => status === 400).length).toBeGreaterThan(5);
    expect(statuses.filter((status) => status === 500).length).toBeGreaterThan(5);
    expect(errors[0]).toMatchObject({
      error: null,
      response: { body: { error: { type: expect.any(String) } } },
    });
    expect(done.request_counts).toEqual({ total: 200, completed: output.length, failed: errors.length });
    expect(sim.stats().batches).toMatchObject({ linesAnswered: output.length, linesFailed: errors.length });
  });

  it('completes with every line failed and no output file', async () => {
    const faults = { lines: [{ rate: 1, kind: 'overloaded' as const, batches: [1] }] };
    const { clock, client } = openaiSetup({ batches: { faults } });
    const batch = await submit(client, chatLines(3));
    await clock.advance(HOUR);
    const done = await client.batches.retrieve(batch.id);
    expect(done).toMatchObject({
      status: 'completed',
      output_file_id: null,
      request_counts: { completed: 0, failed: 3 },
    });
    const errors = await fileLines(client, done.error_file_id);
    expect(errors.map((line) => line.response.status_code)).toEqual([503, 503, 503]);
  });

  it('answers an unknown model with a 404 on every line', async () => {
    const { clock, client } = openaiSetup();
    const batch = await submit(client, chatLines(2, 'gpt-nope'));
    await clock.advance(HOUR);
    const done = await client.batches.retrieve(batch.id);
    const errors = await fileLines(client, done.error_file_id);
    expect(errors.map((line) => line.response.body.error.code)).toEqual([
      'model_not_found',
      'model_not_found',
    ]);
  });

  it('fails a batch with token_limit_exceeded while others of the model hold the enqueued tokens', async () => {
    const { clock, client } = openaiSetup({ batches: { enqueuedTokenLimit: 100 } });
    const first = await submit(client, chatLines(6)); // 6 lines of 11 prompt tokens
    const second = await submit(client, chatLines(6));
    await clock.advance(5000);
    expect((await client.batches.retrieve(first.id)).status).toBe('in_progress');
    const refused = await client.batches.retrieve(second.id);
    expect(refused).toMatchObject({
      status: 'failed',
      errors: { data: [{ code: 'token_limit_exceeded', line: null }] },
    });
    await clock.advance(HOUR); // the first has ended: its tokens are no longer enqueued
    const third = await submit(client, chatLines(6));
    await clock.advance(5000);
    expect((await client.batches.retrieve(third.id)).status).toBe('in_progress');
  });
});
