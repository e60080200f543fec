/** A real flow run with the recorder attached: the report groups its calls by step and marks the critical path. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { flow } from '../flows/flow.js';
import { answer, fakeProvider } from '../test-support/fake-provider.js';
import { reportModel } from './page.js';
import { readRun } from './read.js';
import { recordRun } from './recorder.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-flow-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const article = flow('article', async (topic: string, step) => {
  await step.llm('outline', `outline ${topic}`);
  const sections = await step.map('sections', ['short', 'long'], (title, s) =>
    s.llm('expand', `expand ${title}`),
  );
  return step.llm('intro', `intro ${sections.join(' ')}`);
});

describe('a flow in the report', () => {
  it('groups the calls by step and marks the critical path from the trace', async () => {
    // The long section is what the intro waits for.
    const delays: Record<string, number> = {
      'outline tides': 20,
      'expand short': 10,
      'expand long': 80,
      'intro ok ok': 10,
    };
    const provider = fakeProvider(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, delays[String(request.messages[0]!.content)] ?? 5));
      return answer('ok');
    });
    const volley = new Volley({ provider });
    const path = join(dir, 'flow.run.jsonl');
    const recorder = await recordRun(volley, { path, meta: { command: 'volley flow article.ts tides' } });
    const run = await article.run('tides', { volley });
    await recorder.close();

    const trace = JSON.parse(JSON.stringify(run.trace));
    const model = reportModel(await readRun(path), { trace });
    expect(model.timeline.groups.map((g) => [g.label, g.calls, g.critical])).toEqual([
      ['outline', 1, 1],
      ['sections[]/expand', 2, 1],
      ['intro', 1, 1],
    ]);
    const rows = model.timeline.groups.flatMap((g) => g.rows);
    expect(rows.filter((r) => r.critical).map((r) => r.label)).toEqual([
      'outline',
      'sections[1]/expand',
      'intro',
    ]);
    expect(model.timeline.critical).toBe(run.summary.roundTrips);
    expect(model.cost.byStep.map((r) => r.label).sort()).toEqual(['intro', 'outline', 'sections[]/expand']);
  });
});
