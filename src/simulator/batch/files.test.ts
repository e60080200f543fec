import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatLines, jsonl, openaiSetup } from './test-support/openai.js';

const upload = async (name: string, purpose = 'batch') =>
  openaiSetup().client.files.create({
    file: await toFile(Buffer.from(jsonl(chatLines(1))), name),
    purpose: purpose as 'batch',
  });

describe('uploads and batch creation', () => {
  it.each([
    ['input.txt', 'batch', /must be .jsonl/, 'file'],
    ['input.jsonl', 'fine-tune', /purpose to 'batch'/, 'purpose'],
  ])('refuses %s with purpose %s', async (name, purpose, message, param) => {
    await expect(upload(name, purpose)).rejects.toMatchObject({ status: 400, error: { message, param } });
  });

  it('refuses a batch on an unknown file, another endpoint or another window, before creating it', async () => {
    const { client, sim } = openaiSetup();
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl(chatLines(1))), 'a.jsonl'),
      purpose: 'batch',
    });
    const base = {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    } as const;
    for (const [params, param] of [
      [{ ...base, input_file_id: 'file-none' }, 'input_file_id'],
      [{ ...base, endpoint: '/v1/embeddings' }, 'endpoint'],
      [{ ...base, completion_window: '1h' }, 'completion_window'],
      [{ ...base, metadata: { n: 1 } }, 'metadata'],
    ] as const) {
      await expect(client.batches.create(params as never)).rejects.toMatchObject({
        status: 400,
        error: { param },
      });
    }
    expect(sim.stats().batches).toMatchObject({ filesUploaded: 1, batchesCreated: 0 });
  });

  it('keeps the metadata, and cancels a batch still validating with no lines run', async () => {
    const { clock, client } = openaiSetup();
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl(chatLines(2))), 'a.jsonl'),
      purpose: 'batch',
    });
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'r1' },
    });
    expect(batch.metadata).toEqual({ run: 'r1' });
    await client.batches.cancel(batch.id);
    await clock.advance(60_000);
    const cancelled = await client.batches.retrieve(batch.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', in_progress_at: null, output_file_id: null });
    expect(cancelled.error_file_id).not.toBeNull(); // both lines batch_cancelled
  });
});
