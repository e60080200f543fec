/** An OpenAI client on an in-process simulator with a manual clock, and batch input lines to send it. */
import OpenAI, { toFile } from 'openai';
import { ManualClock } from '../../../test-support/manual-clock.js';
import { createSimulator, type Simulator } from '../../handler.js';
import type { SimulatorOptions } from '../../options.js';

export const EPOCH_MS = 1_750_000_000_000;

export interface BatchSetup {
  readonly clock: ManualClock;
  readonly sim: Simulator;
  readonly client: OpenAI;
}

export function openaiSetup(options: SimulatorOptions = {}): BatchSetup {
  const clock = new ManualClock();
  const sim = createSimulator({ clock, epochMs: EPOCH_MS, latencyMedianMs: 0, ...options });
  const client = new OpenAI({ apiKey: 'test', baseURL: 'http://sim/v1', fetch: sim.fetch, maxRetries: 0 });
  return { clock, sim, client };
}

/** `n` chat lines, `line-1` to `line-n`, each asking something different. */
export function chatLines(n: number, model = 'gpt-4o-mini'): object[] {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `line-${i + 1}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: `question ${i + 1}` }] },
  }));
}

export function jsonl(lines: readonly unknown[]): string {
  return lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join('');
}

/** Uploads the lines and creates a batch from them. */
export async function submit(client: OpenAI, lines: readonly unknown[]): Promise<OpenAI.Batch> {
  const file = await client.files.create({
    file: await toFile(Buffer.from(jsonl(lines)), 'input.jsonl'),
    purpose: 'batch',
  });
  return client.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read output lines loosely, field by field.
type Loose = any;

/** The lines of a file, parsed; [] for no file. */
export async function fileLines(client: OpenAI, id: string | null | undefined): Promise<Loose[]> {
  if (!id) return [];
  const text = await (await client.files.content(id)).text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}
