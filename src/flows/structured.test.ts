import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { flow } from './flow.js';
import { parseList } from './parsers.js';
import { toJsonSchema } from './structured.js';
import { drive, fakeVolley, lastUser } from './test-support/harness.js';

const Outline = z.object({ title: z.string(), sections: z.array(z.string()).min(2) });

describe('step.llm with a schema', () => {
  it('asks for JSON by schema and resolves with the parsed, typed value', async () => {
    const { clock, volley, provider } = fakeVolley({
      reply: () => 'Sure:\n```json\n{"title":"Tides","sections":["Moon","Sun"]}\n```',
    });
    const f = flow('outline', (topic: string, step) =>
      step.llm('outline', `Outline ${topic}`, { schema: Outline }),
    );
    const run = await drive(clock, f.run('tides', { volley }));
    expectTypeOf(run.output).toEqualTypeOf<{ title: string; sections: string[] }>();
    expect(run.output).toEqual({ title: 'Tides', sections: ['Moon', 'Sun'] });
    expect(provider.sent[0]!.responseFormat).toEqual({
      type: 'json_schema',
      json_schema: { name: 'outline', schema: toJsonSchema(Outline) },
    });
    expect(toJsonSchema(Outline)).not.toHaveProperty('$schema');
  });

  it('asks again with the validation error, and counts the repair as a round trip', async () => {
    const answers = ['{"title":"Tides","sections":["Moon"]}', '{"title":"Tides","sections":["Moon","Sun"]}'];
    const {
      clock,
      volley,
      provider,
      latency: L,
    } = fakeVolley({ reply: (_, __, call) => answers[call - 1]! });
    const f = flow('repair', (_: null, step) => step.llm('outline', 'Outline tides', { schema: Outline }));
    const run = await drive(clock, f.run(null, { volley }));
    expect(run.output.sections).toEqual(['Moon', 'Sun']);
    expect(provider.sent).toHaveLength(2);
    const retry = provider.sent[1]!.messages;
    expect(retry.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(retry[1]!.content).toBe(answers[0]);
    expect(lastUser(provider.sent[1]!)).toMatch(
      /Too small: expected array to have >=2 items[\s\S]*→ at sections/,
    );
    expect(run.summary).toMatchObject({ calls: 2, roundTrips: 2, makespanMs: 2 * L });
  });

  it('fails with invalid_output naming the step when no answer validates within the limit', async () => {
    const { clock, volley, provider } = fakeVolley({ reply: () => 'not json at all' });
    const f = flow('never', (_: null, step) =>
      step.llm('outline', 'Outline tides', { schema: Outline, maxRepairs: 1 }),
    );
    const error = await drive(clock, f.run(null, { volley })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_output', step: 'outline' });
    expect((error as Error).message).toMatch(
      /^flow "never", step "outline": 2 answers could not be used: The answer is not valid JSON/,
    );
    expect(provider.sent).toHaveLength(2);
  });

  it('json_object mode puts the schema in the prompt; prompt mode sends no response format', async () => {
    const { clock, volley, provider } = fakeVolley({ reply: () => '{"title":"T","sections":["a","b"]}' });
    const f = flow('modes', async (_: null, step) => {
      await step.llm('object', 'Outline tides', { schema: Outline, jsonMode: 'object' });
      await step.llm(
        'prompt',
        { prompt: 'Outline tides', maxTokens: 50 },
        { schema: Outline, jsonMode: 'prompt' },
      );
    });
    await drive(clock, f.run(null, { volley }));
    expect(provider.sent[0]!.responseFormat).toEqual({ type: 'json_object' });
    expect(lastUser(provider.sent[0]!)).toContain('matching this JSON Schema');
    expect(provider.sent[1]!.responseFormat).toBeUndefined();
    expect(provider.sent[1]!.maxTokens).toBe(50);
  });
});

describe('step.llm with a parser', () => {
  it('resolves with the parsed list and re-asks when parse throws', async () => {
    const { clock, volley, provider } = fakeVolley({
      reply: (_, __, call) => (call === 1 ? '' : '1. a\n2. b'),
    });
    const f = flow('list', (_: null, step) => step.llm('items', 'List 2 items', { parse: parseList }));
    const run = await drive(clock, f.run(null, { volley }));
    expectTypeOf(run.output).toEqualTypeOf<string[]>();
    expect(run.output).toEqual(['a', 'b']);
    expect(lastUser(provider.sent[1]!)).toContain('The answer is empty');
  });

  it('rejects schema and parse together', async () => {
    const { clock, volley } = fakeVolley();
    const f = flow('both', (_: null, step) =>
      step.llm('x', 'y', { schema: Outline, parse: parseList } as unknown as { parse: typeof parseList }),
    );
    await expect(drive(clock, f.run(null, { volley }))).rejects.toMatchObject({
      code: 'invalid_request',
      step: 'x',
    });
  });
});
