import { describe, expect, it } from 'vitest';
import { chatLines, fileLines, openaiSetup, submit } from './test-support/openai.js';

const HOUR = 3_600_000;
type Line = { custom_id: string; body: { model: string; messages: { role: 'user'; content: string }[] } };

describe('the counters that prove every line was answered once and nothing paid twice', () => {
  it('counts a resubmission of only the failed lines as no duplicate', async () => {
    const faults = { lines: [{ rate: 0.02, kind: 'server_error' as const, batches: [1] }] };
    const { clock, sim, client } = openaiSetup({ batches: { faults, timeScale: 100 } });
    const lines = chatLines(1200) as Line[];
    const first = await client.batches.retrieve((await submit(client, lines)).id);
    await clock.advance(HOUR);
    const done = await client.batches.retrieve(first.id);
    const failed = new Set((await fileLines(client, done.error_file_id)).map((line) => line.custom_id));
    expect(failed.size).toBeGreaterThan(10);
    const retry = await submit(
      client,
      lines.filter((line) => failed.has(line.custom_id)),
    );
    await clock.advance(HOUR);
    expect((await client.batches.retrieve(retry.id)).request_counts).toMatchObject({
      completed: failed.size,
      failed: 0,
    });
    expect(sim.stats()).toMatchObject({
      duplicatePaid: 0,
      batches: {
        linesAnswered: 1200,
        answeredByBatch: { [first.id]: 1200 - failed.size, [retry.id]: failed.size },
      },
    });
  });

  it('counts a line answered in a cancelled batch and again in realtime as paid twice', async () => {
    const { clock, sim, client } = openaiSetup();
    const lines = chatLines(10) as Line[];
    const batch = await submit(client, lines);
    await clock.advance(5000 + 3000); // three lines answered
    await client.batches.cancel(batch.id);
    await clock.advance(HOUR);
    const answered = new Set(
      (await fileLines(client, (await client.batches.retrieve(batch.id)).output_file_id)).map(
        (l) => l.custom_id,
      ),
    );
    // Right: only the lines the batch did not answer go to realtime.
    for (const line of lines.filter((l) => !answered.has(l.custom_id)))
      await client.chat.completions.create(line.body);
    expect(sim.stats()).toMatchObject({ duplicatePaid: 0, successes: 7, batches: { linesAnswered: 3 } });
    // Wrong: sending one again pays for it twice.
    await client.chat.completions.create(lines[0]!.body);
    expect(sim.stats().duplicatePaid).toBe(1);
  });
});
