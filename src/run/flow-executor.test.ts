import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { sleep } from '../clock.js';
import { flow } from '../flows/flow.js';
import { drive, lastUser } from '../flows/test-support/harness.js';
import type { FlowRecord } from '../records/types.js';
import { abortable, answer, fakeProvider } from '../test-support/fake-provider.js';
import { ManualClock } from '../test-support/manual-clock.js';

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const result of results) all.push(result);
  return all;
}

/** Answers `re <prompt>` after 100 ms on a manual clock; `hang` never answers until cancelled. */
function client(hang: (prompt: string) => boolean = () => false) {
  const clock = new ManualClock();
  const provider = fakeProvider(async (request, context) => {
    const prompt = lastUser(request);
    if (hang(prompt)) return abortable(context.signal);
    await sleep(clock, 100, context.signal);
    return answer(`re ${prompt}`);
  });
  return {
    clock,
    provider,
    volley: new Volley({ provider, clock, random: () => 0, limits: { concurrency: 8 } }),
  };
}

const twoSteps = flow('two', async (topic: string, step) => {
  const first = await step.llm('first', `first ${topic}`);
  return step.llm('second', `second ${topic} after ${first}`);
});

describe('flow executor', () => {
  it('journals finished steps in the run journal: after a stop, a rerun pays only for the steps that had not finished', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-flow-exec-'));
    const out = join(dir, 'out.jsonl');
    // The second step of "b" never answers: the run is stopped while it waits.
    const hanging = client((prompt) => prompt.startsWith('second b'));
    const stop = new AbortController();
    const first = (async () => {
      const results = [];
      for await (const result of twoSteps.batch(['a', 'b', 'c'], {
        volley: hanging.volley,
        out,
        signal: stop.signal,
        order: 'completion',
      })) {
        results.push(result);
        if (results.length === 2) stop.abort();
      }
      return results;
    })();
    const done = await drive(hanging.clock, first);
    expect(done.map((r) => r.input).sort()).toEqual(['a', 'c']);
    const records = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowRecord);
    expect(records.map((r) => r.custom_id)).toEqual(['line-1', 'line-3']);
    expect(records[0]).toMatchObject({ flow: 'two', input: 'a', calls: 2, round_trips: 2, error: null });

    const fresh = client();
    const again = await drive(
      fresh.clock,
      collect(twoSteps.batch(['a', 'b', 'c'], { volley: fresh.volley, out })),
    );
    // Only b's second step was not journaled; a and c keep their records.
    expect(fresh.provider.sent.map(lastUser)).toEqual([expect.stringMatching(/^second b after re first b/)]);
    expect(again.map((r) => [r.input, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    const b = again.find((r) => r.input === 'b')!;
    expect(b.record).toMatchObject({ calls: 1, steps_from_journal: 1 });
  });
});
