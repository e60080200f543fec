/**
 * The OpenAI Batch API (and every compatible server) through the `openai` SDK: the chunk's lines
 * uploaded as a file named after it (`purpose: batch`), a batch created from the file with the
 * chunk in its metadata, retrieved, cancelled, and its output and error files read, also for an
 * `expired`, `cancelled` or `failed` batch. The file name and the metadata let a rerun find what
 * an earlier invocation sent before its journal could say so.
 */
import type OpenAI from 'openai';
import { VolleyError } from '../errors.js';
import type { OpenAIModule } from '../providers/openai/errors.js';
import type { SdkClient } from '../providers/types.js';
import type { BatchLimits, BatchRemote, BatchView, LineResult } from './remote.js';

/** 50,000 lines and 200 MB per file; the bytes with headroom for the multipart framing. */
const OPENAI_LIMITS: BatchLimits = { lines: 50_000, bytes: 190_000_000 };

const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);
const NOT_RUN: Record<string, 'batch_expired' | 'batch_cancelled'> = {
  batch_expired: 'batch_expired',
  batch_cancelled: 'batch_cancelled',
};

export function openaiRemote(
  { sdk, client, mapError }: SdkClient<OpenAIModule, OpenAI>,
  endpoint: string,
): BatchRemote {
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapError(error);
    }
  };
  const fileName = (chunk: string) => `volley-${chunk}.jsonl`;
  return {
    kind: 'openai',
    limits: OPENAI_LIMITS,
    line: (customId, body) => JSON.stringify({ custom_id: customId, method: 'POST', url: endpoint, body }),
    upload: (chunk, lines) =>
      call(async () => {
        const bytes = Buffer.from(`${lines.join('\n')}\n`);
        const file = await client.files.create({
          file: await sdk.toFile(bytes, fileName(chunk)),
          purpose: 'batch',
        });
        return file.id;
      }),
    findFile: (chunk) =>
      call(async () => {
        for await (const file of client.files.list({ purpose: 'batch' }))
          if (file.filename === fileName(chunk)) return file.id;
        return undefined;
      }),
    create: (chunk, { file }) =>
      call(async () =>
        view(
          await client.batches.create({
            input_file_id: file!,
            endpoint: endpoint as OpenAI.BatchCreateParams['endpoint'],
            completion_window: '24h',
            metadata: { volley_chunk: chunk },
          }),
        ),
      ),
    findBatch: (chunk, { file }) =>
      call(async () => {
        for await (const batch of client.batches.list())
          if (batch.metadata?.['volley_chunk'] === chunk || (file && batch.input_file_id === file))
            return view(batch);
        return undefined;
      }),
    retrieve: (id) => call(async () => view(await client.batches.retrieve(id))),
    cancel: (id) => call(async () => void (await client.batches.cancel(id))),
    async *results(batch) {
      const found = await call(() => client.batches.retrieve(batch.id));
      for (const id of [found.output_file_id, found.error_file_id]) {
        if (!id) continue;
        const text = await call(async () => (await client.files.content(id)).text());
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          const parsed = JSON.parse(line) as OutputLine;
          yield [parsed.custom_id, lineResult(parsed)] as const;
        }
      }
    },
  };

  /** A line of the output or error file: a body with its status, or a line never run. */
  function lineResult(line: OutputLine): LineResult {
    const { response, error } = line;
    if (response && response.status_code >= 200 && response.status_code < 300)
      return { ok: true, body: response.body, requestId: response.request_id ?? null };
    if (response) {
      const body = response.body as { error?: { message?: string } } | undefined;
      const thrown = sdk.APIError.generate(
        response.status_code,
        body,
        body?.error?.message,
        new Headers(response.request_id ? { 'x-request-id': response.request_id } : {}),
      );
      return { ok: false, error: mapError(thrown) };
    }
    const code = NOT_RUN[error?.code ?? ''] ?? 'batch_expired';
    const message = `${error?.message ?? 'The batch did not run this line.'} A new batch may answer it.`;
    return { ok: false, error: new VolleyError(code, message, { retryable: true }) };
  }
}

interface OutputLine {
  readonly custom_id: string;
  readonly response: { status_code: number; request_id?: string | null; body: unknown } | null;
  readonly error: { code?: string; message?: string } | null;
}

function view(batch: OpenAI.Batch): BatchView {
  const counts = batch.request_counts;
  const errors = batch.status === 'failed' ? (batch.errors?.data ?? []) : undefined;
  return {
    id: batch.id,
    status: batch.status,
    ended: ENDED.has(batch.status),
    counts: {
      total: counts?.total ?? 0,
      done: (counts?.completed ?? 0) + (counts?.failed ?? 0),
      failed: counts?.failed ?? 0,
    },
    failure: errors?.map((e) => ({
      code: e.code ?? 'invalid_request',
      message: e.message ?? 'The batch failed validation.',
      line: e.line ?? null,
    })),
  };
}
