import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { abortable, answer, fakeProvider } from '../test-support/fake-provider.js';
import { FlowJournal, hashInput } from './durable.js';
import { flow } from './flow.js';
import { article } from './test-support/article.js';
import { defaultReply, lastUser } from './test-support/harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volley-flows-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Answers at once; `hang` decides which prompts never answer (until cancelled). */
function client(hang: (prompt: string) => boolean = () => false) {
  const provider = fakeProvider(async (request, context) => {
    const prompt = lastUser(request);
    if (hang(prompt)) return abortable(context.signal);
    return answer(defaultReply(prompt));
  });
  return { provider, volley: new Volley({ provider, limits: { concurrency: 8 } }) };
}

describe('durable steps', () => {
  it('a rerun on the same input makes no call and returns the recorded output', async () => {
    const path = join(dir, 'journal.jsonl');
    const first = client();
    const run = await article.run('tides', { volley: first.volley, journal: path });
    expect(first.provider.sent).toHaveLength(5);

    const second = client();
    const again = await article.run('tides', { volley: second.volley, journal: path });
    expect(second.provider.sent).toHaveLength(0);
    expect(again.output).toEqual(run.output);
    expect(again.summary).toMatchObject({ calls: 0, cachedSteps: 5 });

    const other = await article.run('waves', { volley: second.volley, journal: path });
    expect(second.provider.sent).toHaveLength(5);
    expect(other.output.topic).toBe('waves');
  });

  it('a run killed after its fan-out reruns only the unfinished step', async () => {
    const path = join(dir, 'journal.jsonl');
    const controller = new AbortController();
    const first = client((prompt) => {
      const intro = prompt.startsWith('Write an intro');
      if (intro) queueMicrotask(() => controller.abort());
      return intro;
    });
    const killed = await article
      .run('tides', { volley: first.volley, journal: path, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(killed).toMatchObject({ code: 'aborted', step: 'intro' });
    expect(first.provider.sent).toHaveLength(5);

    const second = client();
    const journal = await FlowJournal.open(path);
    expect(journal.size).toBe(4);
    const rerun = await article.run('tides', { volley: second.volley, journal });
    await journal.close();
    expect(second.provider.sent.map(lastUser)).toEqual([expect.stringMatching(/^Write an intro/)]);
    expect(rerun.output.sections).toHaveLength(3);
    expect(rerun.summary).toMatchObject({ calls: 1, cachedSteps: 4 });
    expect(rerun.summary.line).toContain('4 steps from the journal');
    const spans = rerun.trace.spans.filter((s) => s.kind === 'llm').map((s) => [s.path, s.status]);
    expect(spans).toEqual([
      ['outline', 'cached'],
      ['sections[0]/expand', 'cached'],
      ['sections[1]/expand', 'cached'],
      ['sections[2]/expand', 'cached'],
      ['intro', 'ok'],
    ]);
  });

  it('calls again for a step whose request changed since it was recorded', async () => {
    const path = join(dir, 'journal.jsonl');
    let style = 'short';
    const styled = flow('styled', async (topic: string, step) => {
      const facts = await step.llm('facts', `List 2 points about ${topic}.`);
      return step.llm('poem', `Write a ${style} poem from: ${facts}`);
    });
    await styled.run('tides', { volley: client().volley, journal: path });
    style = 'long';
    const second = client();
    const journal = await FlowJournal.open(path);
    const rerun = await styled.run('tides', { volley: second.volley, journal });
    await journal.close();
    expect(second.provider.sent.map(lastUser)).toEqual([expect.stringMatching(/^Write a long poem/)]);
    expect(rerun.summary).toMatchObject({ calls: 1, cachedSteps: 1 });
  });

  it('keys records by flow, input hash and step path', async () => {
    const path = join(dir, 'journal.jsonl');
    await article.run({ b: 1, a: 2 } as unknown as string, { volley: client().volley, journal: path });
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string });
    const hash = hashInput({ a: 2, b: 1 });
    expect(lines.map((l) => l.key)).toEqual([
      `article/${hash}/outline`,
      expect.stringMatching(new RegExp(`^article/${hash}/sections\\[\\d\\]/expand$`)),
      expect.stringMatching(/expand$/),
      expect.stringMatching(/expand$/),
      `article/${hash}/intro`,
    ]);
  });
});
